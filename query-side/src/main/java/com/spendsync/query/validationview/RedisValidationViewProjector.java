package com.spendsync.query.validationview;

import static com.spendsync.platform.verification.ValidationViewKeys.EXPIRES_AT;
import static com.spendsync.platform.verification.ValidationViewKeys.GRACE_UNTIL;
import static com.spendsync.platform.verification.ValidationViewKeys.KEY_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.OWNER_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.PERMISSIONS;
import static com.spendsync.platform.verification.ValidationViewKeys.RATE_LIMIT;
import static com.spendsync.platform.verification.ValidationViewKeys.RATE_WINDOW_SECONDS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_ACTIVE;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_EXPIRED;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_REVOKED;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the Redis validation view: per secret hash, what the verify script needs. Entries of a key that has ended
 * (revoked, expired, or a previous secret past its grace) stay for the retention period, so that verification
 * answers REVOKED or EXPIRED rather than NOT_FOUND, then Redis drops them.
 */
@Component
@ProcessingGroup(RedisValidationViewProjector.PROCESSING_GROUP)
public class RedisValidationViewProjector {

    public static final String PROCESSING_GROUP = "redis-validation-view";

    private final StringRedisTemplate redis;
    private final Duration retention;

    RedisValidationViewProjector(StringRedisTemplate redis, SpendSyncProperties properties) {
        this.redis = redis;
        this.retention = properties.keyRetention();
    }

    @EventHandler
    void on(ApiKeyCreatedEvent event) {
        Map<String, String> entry = new HashMap<>();
        entry.put(KEY_ID, event.keyId());
        entry.put(OWNER_ID, event.ownerId());
        entry.put(STATUS, STATUS_ACTIVE);
        entry.putAll(settings(event.permissions(), event.rateLimit(), event.expiresAt()));
        write(event.keyHash(), entry, event.expiresAt());
    }

    @EventHandler
    void on(ApiKeyRotatedEvent event) {
        Map<String, String> entry = new HashMap<>(redis.<String, String>opsForHash()
                .entries(ValidationViewKeys.entry(event.previousKeyHash())));
        entry.remove(GRACE_UNTIL);
        write(event.newKeyHash(), entry, epochMillis(entry.get(EXPIRES_AT)));
        endAt(event.previousKeyHash(), event.previousKeyExpiresAt());
        if (event.retiredKeyHash() != null) {
            endAt(event.retiredKeyHash(), event.rotatedAt());
        }
    }

    @EventHandler
    void on(ApiKeyUpdatedEvent event) {
        Map<String, String> settings = settings(event.permissions(), event.rateLimit(), event.expiresAt());
        for (KeyHash hash : hashes(event.keyHash(), event.previousKeyHash())) {
            String key = ValidationViewKeys.entry(hash);
            redis.opsForHash().delete(key, RATE_LIMIT, RATE_WINDOW_SECONDS, EXPIRES_AT);
            redis.opsForHash().putAll(key, settings);
        }
        // a previous secret keeps the lifetime its grace end gave it
        expireAfterEnd(ValidationViewKeys.entry(event.keyHash()), event.expiresAt());
    }

    @EventHandler
    void on(ApiKeyRotationGraceEndedEvent event) {
        endAt(event.previousKeyHash(), event.endedAt());
    }

    @EventHandler
    void on(ApiKeyRevokedEvent event) {
        for (KeyHash hash : hashes(event.keyHash(), event.previousKeyHash())) {
            finish(hash, STATUS_REVOKED);
        }
    }

    @EventHandler
    void on(ApiKeyExpiredEvent event) {
        for (KeyHash hash : hashes(event.keyHash(), event.previousKeyHash())) {
            finish(hash, STATUS_EXPIRED);
        }
    }

    /** A rebuild starts from an empty view; SCAN is fine here, far from the verify path. */
    @ResetHandler
    void reset() {
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match("ss:v:*").count(1000).build())) {
            keys.forEachRemaining(redis::delete);
        }
    }

    private void write(KeyHash hash, Map<String, String> entry, Instant expiresAt) {
        String key = ValidationViewKeys.entry(hash);
        redis.opsForHash().putAll(key, entry);
        expireAfterEnd(key, expiresAt);
    }

    private void endAt(KeyHash hash, Instant end) {
        String key = ValidationViewKeys.entry(hash);
        redis.opsForHash().put(key, GRACE_UNTIL, Long.toString(end.toEpochMilli()));
        redis.expireAt(key, end.plus(retention));
    }

    private void finish(KeyHash hash, String status) {
        String key = ValidationViewKeys.entry(hash);
        redis.opsForHash().put(key, STATUS, status);
        redis.expire(key, retention);
    }

    private void expireAfterEnd(String key, Instant expiresAt) {
        if (expiresAt == null) {
            redis.persist(key);
        } else {
            redis.expireAt(key, expiresAt.plus(retention));
        }
    }

    private static Map<String, String> settings(List<String> permissions, RateLimitPolicy rateLimit,
                                                Instant expiresAt) {
        Map<String, String> settings = new HashMap<>();
        settings.put(PERMISSIONS, String.join(" ", permissions));
        if (expiresAt != null) {
            settings.put(EXPIRES_AT, Long.toString(expiresAt.toEpochMilli()));
        }
        if (rateLimit != null) {
            settings.put(RATE_LIMIT, Integer.toString(rateLimit.limit()));
            settings.put(RATE_WINDOW_SECONDS, Integer.toString(rateLimit.windowSeconds()));
        }
        return settings;
    }

    private static List<KeyHash> hashes(KeyHash current, KeyHash previous) {
        return Stream.of(current, previous).filter(Objects::nonNull).toList();
    }

    private static Instant epochMillis(String value) {
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }
}
