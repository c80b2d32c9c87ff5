package com.spendsync.api.authority;

import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;

/**
 * What the authority rule needs to know of a key that a caller wants to act on (or to create); {@code expiresAt}
 * null: it never expires.
 */
public record ManagedKey(String keyId, String ownerId, KeyEnvironment environment, List<String> permissions,
                         KeyScope scope, Instant expiresAt) {

    /** A key that never expires. */
    public ManagedKey(String keyId, String ownerId, KeyEnvironment environment, List<String> permissions,
                      KeyScope scope) {
        this(keyId, ownerId, environment, permissions, scope, null);
    }
}
