package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/** The key reached its {@code expiresAt}; {@code expiredAt} is that instant, not when the fact was recorded. */
public record ApiKeyExpiredEvent(String keyId, KeyHash keyHash, KeyHash previousKeyHash, Instant expiredAt)
        implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.expired(this);
    }
}
