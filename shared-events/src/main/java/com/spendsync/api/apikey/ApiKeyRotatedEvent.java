package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/**
 * A new secret replaced the current one, which stays valid until {@code previousKeyExpiresAt}.
 * {@code retiredKeyHash} is the secret before that, whose grace this rotation ended at once (null if none).
 */
public record ApiKeyRotatedEvent(
        String keyId,
        KeyHash newKeyHash,
        String newPrefix,
        KeyHash previousKeyHash,
        Instant previousKeyExpiresAt,
        KeyHash retiredKeyHash,
        Instant rotatedAt) implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.rotated(this);
    }

    /** Whether the previous secret stays valid for a while: with no grace at all it is gone at the rotation. */
    public boolean graceRuns() {
        return previousKeyExpiresAt.isAfter(rotatedAt);
    }
}
