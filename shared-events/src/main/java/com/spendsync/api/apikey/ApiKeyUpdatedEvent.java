package com.spendsync.api.apikey;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The key's settings after a partial update, with the names of the fields that changed. Events recorded before
 * scopes existed have no {@code scope}: those keys were unscoped; those recorded before limits had names hold one
 * {@code rateLimit}, read as the one limit of {@code rateLimits}.
 */
public record ApiKeyUpdatedEvent(
        String keyId,
        KeyHash keyHash,
        KeyHash previousKeyHash,
        String name,
        List<String> permissions,
        KeyScope scope,
        Map<String, Object> metadata,
        @ReadsOneRateLimit List<RateLimitPolicy> rateLimits,
        List<String> allowedSources,
        Instant expiresAt,
        Set<String> changedFields,
        Instant updatedAt) implements ApiKeyEvent {

    public ApiKeyUpdatedEvent {
        rateLimits = RateLimits.of(rateLimits);
    }

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.updated(this);
    }
}
