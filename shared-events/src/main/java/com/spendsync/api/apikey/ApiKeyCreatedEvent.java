package com.spendsync.api.apikey;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A new key; {@code scope} is null for a key that acts on every owner (and for keys without management power);
 * {@code rateLimits} empty for a key without limits (events recorded before limits had names hold one
 * {@code rateLimit}, read as that one limit); {@code allowedSources} (canonical blocks, {@link AllowedSources}) null or empty for a key usable from anywhere.
 */
public record ApiKeyCreatedEvent(
        String keyId,
        KeyHash keyHash,
        String prefix,
        KeyEnvironment environment,
        String ownerId,
        String name,
        List<String> permissions,
        KeyScope scope,
        Instant expiresAt,
        @ReadsOneRateLimit List<RateLimitPolicy> rateLimits,
        List<String> allowedSources,
        Map<String, Object> metadata,
        Instant createdAt) implements ApiKeyEvent {

    public ApiKeyCreatedEvent {
        rateLimits = RateLimits.of(rateLimits);
    }

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.created(this);
    }
}
