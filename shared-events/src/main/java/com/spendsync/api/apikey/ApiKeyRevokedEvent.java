package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/** Final: the current secret and the previous one, if any, stop working. */
public record ApiKeyRevokedEvent(
        String keyId, KeyHash keyHash, KeyHash previousKeyHash, String reason, Instant revokedAt)
        implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.revoked(this);
    }
}
