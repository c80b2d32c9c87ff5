package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/** The previous secret's grace period ended at {@code endedAt}; the key is active with its current secret only. */
public record ApiKeyRotationGraceEndedEvent(String keyId, KeyHash previousKeyHash, Instant endedAt)
        implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.graceEnded(this);
    }
}
