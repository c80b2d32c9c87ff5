package com.spendsync.query.keyview;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.authority.ManagedKey;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Field;

/**
 * One key as the query view keeps it. The hashes are kept for the verify fallback and never leave the service;
 * {@code version} is the sequence number of the last event folded in, {@code foldedUntil} the latest timestamp of the
 * events folded in (null where unknown: a view stored before it was kept).
 */
public record KeyView(
        @Id String keyId,
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
        Usage usage,
        @JsonIgnore String keyHash,
        @JsonIgnore String previousKeyHash,
        @JsonIgnore List<RetiredSecret> retiredSecrets,
        @JsonIgnore long version,
        @JsonIgnore Instant foldedUntil,
        @JsonIgnore @Field("rateLimit") RateLimitPolicy recordedRateLimit) {

    /** A view stored before limits had names holds one {@code rateLimit}: read as that one limit, never written. */
    public KeyView {
        if (rateLimits == null) {
            rateLimits = recordedRateLimit == null ? List.of() : List.of(recordedRateLimit);
        }
        recordedRateLimit = null;
    }

    /** The shorthand: the limit named default. */
    @JsonProperty("rateLimit")
    public RateLimitPolicy rateLimit() {
        return RateLimits.defaultOf(rateLimits);
    }

    public record Usage(long total, long rejected) {
    }

    /**
     * A secret of the key that a rotation or a grace end retired, kept for as long as the key's records are, so a
     * lookup of it always finds it ended and never falls through to a half-built or older state.
     */
    public record RetiredSecret(String hash, Instant endedAt) {
    }

    /** The key as the authority rule sees it. */
    public ManagedKey asManaged() {
        return new ManagedKey(keyId, ownerId, environment, permissions, scope, expiresAt);
    }

    /**
     * The status at an instant: an expiry or a grace end that has passed counts, even before the event that records
     * it has been projected.
     */
    public KeyView asOf(Instant instant) {
        KeyStatus effective = status;
        Instant rotationEnd = rotationExpiresAt;
        if (!status.isFinal() && expiresAt != null && !expiresAt.isAfter(instant)) {
            effective = KeyStatus.EXPIRED;
        } else if (status == KeyStatus.ROTATING && rotationExpiresAt != null && !rotationExpiresAt.isAfter(instant)) {
            effective = KeyStatus.ACTIVE;
            rotationEnd = null;
        }
        return new KeyView(keyId, ownerId, name, prefix, environment, permissions, scope, effective, createdAt,
                expiresAt,
                lastUsedAt, rotatedAt, rotationEnd, revokedAt, rateLimits, allowedSources, metadata, usage, keyHash,
                previousKeyHash, retiredSecrets, version, foldedUntil, null);
    }

    KeyView withFoldedUntil(Instant instant) {
        return new KeyView(keyId, ownerId, name, prefix, environment, permissions, scope, status, createdAt, expiresAt,
                lastUsedAt, rotatedAt, rotationExpiresAt, revokedAt, rateLimits, allowedSources, metadata, usage, keyHash,
                previousKeyHash, retiredSecrets, version, instant, null);
    }
}
