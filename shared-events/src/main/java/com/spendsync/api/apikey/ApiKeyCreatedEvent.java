package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;

public record ApiKeyCreatedEvent(
        String keyId,
        KeyHash keyHash,
        String prefix,
        KeyEnvironment environment,
        String ownerId,
        String name,
        List<String> permissions,
        Instant expiresAt,
        RateLimitPolicy rateLimit,
        Map<String, Object> metadata,
        Instant createdAt) {
}
