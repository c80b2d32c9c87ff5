package com.spendsync.api.authority;

import com.spendsync.api.keyformat.KeyEnvironment;
import java.util.List;

/** What the authority rule needs to know of a key that a caller wants to act on (or to create). */
public record ManagedKey(String keyId, String ownerId, KeyEnvironment environment, List<String> permissions,
                         KeyScope scope) {
}
