package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The key's settings after a partial update, with the names of the fields that changed. */
public record ApiKeyUpdatedEvent(
        String keyId,
        KeyHash keyHash,
        KeyHash previousKeyHash,
        String name,
        List<String> permissions,
        Map<String, Object> metadata,
        RateLimitPolicy rateLimit,
        Instant expiresAt,
        Set<String> changedFields,
        Instant updatedAt) {
}
