package com.spendsync.command.apikey;

import com.spendsync.api.apikey.KeyStatus;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A key as the aggregate holds it after a command, in the shape of the key view (no hash): what an update answers
 * with. Usage counts what has been flushed so far.
 */
public record KeySettings(
        String keyId,
        String ownerId,
        String name,
        String prefix,
        KeyEnvironment environment,
        List<String> permissions,
        KeyScope scope,
        KeyStatus status,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant rotatedAt,
        Instant rotationExpiresAt,
        Instant revokedAt,
        List<RateLimitPolicy> rateLimits,
        List<String> allowedSources,
        Map<String, Object> metadata,
        Usage usage) {

    public record Usage(long total, long rejected) {
    }

    /** The shorthand: the limit named default. */
    @JsonProperty("rateLimit")
    public RateLimitPolicy rateLimit() {
        return RateLimits.defaultOf(rateLimits);
    }
}
