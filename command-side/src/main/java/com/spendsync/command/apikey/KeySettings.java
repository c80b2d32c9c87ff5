package com.spendsync.command.apikey;

import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.RateLimitPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A key as the aggregate holds it after a command (no hash): what an update answers with. */
public record KeySettings(
        String keyId,
        String ownerId,
        String prefix,
        KeyStatus status,
        String name,
        List<String> permissions,
        Map<String, Object> metadata,
        RateLimitPolicy rateLimit,
        Instant createdAt,
        Instant expiresAt,
        Instant rotatedAt,
        Instant rotationExpiresAt,
        Instant revokedAt) {
}
