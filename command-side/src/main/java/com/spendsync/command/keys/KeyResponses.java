package com.spendsync.command.keys;

import com.spendsync.api.apikey.KeyStatus;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies of the key commands. {@code key} is the plaintext, handed over here once and never again. */
final class KeyResponses {

    private KeyResponses() {
    }

    record Created(String keyId, String key, String prefix, String ownerId, String name, KeyEnvironment environment,
                   List<String> permissions, KeyScope scope, KeyStatus status, Instant createdAt, Instant expiresAt,
                   List<RateLimitPolicy> rateLimits, List<String> allowedSources, Map<String, Object> metadata) {

        /** The shorthand: the limit named default. */
        @JsonProperty("rateLimit")
        RateLimitPolicy rateLimit() {
            return RateLimits.defaultOf(rateLimits);
        }
    }

    record Rotated(String keyId, String key, String prefix, Instant previousKeyExpiresAt) {
    }

    record Revoked(String keyId, KeyStatus status, Instant revokedAt) {
    }
}
