package com.spendsync.query.validationview;

import static com.spendsync.platform.verification.ValidationViewKeys.CURRENT_SECRET;
import static com.spendsync.platform.verification.ValidationViewKeys.EXPIRES_AT;
import static com.spendsync.platform.verification.ValidationViewKeys.GRACE_UNTIL;
import static com.spendsync.platform.verification.ValidationViewKeys.KEY_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.OWNER_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.PREVIOUS_SECRET;
import static com.spendsync.platform.verification.ValidationViewKeys.SEQUENCE;
import static com.spendsync.platform.verification.ValidationViewKeys.SETTINGS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_ACTIVE;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_EXPIRED;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_REVOKED;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.verification.SecretEntry;
import com.spendsync.platform.verification.ValidationViewKeys;
import com.spendsync.query.keyview.KeyView;
import com.spendsync.query.keyview.KeyViews;
import com.spendsync.query.keyview.MongoVerificationFallback;
import com.spendsync.platform.verification.ValidationViewWriter;
import com.spendsync.platform.verification.ValidationViewWriter.Lifetime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the Redis validation view: per secret hash, what the verify script needs. A key record
 * ({@link ValidationViewKeys#keyRecord}) holds the key's settings and secrets, so each event rewrites the entries of
 * its secrets from one place. Every entry write is guarded by the event's sequence number, and each key's events
 * are applied in order with gaps healed from the event store. Entries of an ended key (revoked, expired, or a
 * previous secret past its grace) stay for the retention period, so verification answers REVOKED or EXPIRED rather
 * than NOT_FOUND, then Redis drops them.
 */
@Component
@ProcessingGroup(RedisValidationViewProjector.PROCESSING_GROUP)
public class RedisValidationViewProjector extends SequencedProjector<Long> {

    public static final String PROCESSING_GROUP = "redis-validation-view";

    private final StringRedisTemplate redis;
    private final KeyViews keyViews;
    private final ValidationViewWriter entries;
    private final Duration retention;

    RedisValidationViewProjector(StringRedisTemplate redis, KeyViews keyViews, ValidationViewWriter entries,
                                 AggregateSequenceGuard guard, SpendSyncProperties properties) {
        super(PROCESSING_GROUP, guard);
        this.redis = redis;
        this.keyViews = keyViews;
        this.entries = entries;
        this.retention = properties.keyRetention();
    }

    /** The state is the sequence number the key record says was applied: the entries themselves live in Redis. */
    @Override
    protected Long load(String keyId) {
        Object applied = redis.opsForHash().get(ValidationViewKeys.keyRecord(keyId), SEQUENCE);
        return applied == null ? null : Long.parseLong((String) applied);
    }

    @Override
    protected long sequenceOf(Long applied) {
        return applied;
    }

    /**
     * Writes the event's entries at once: each entry write is guarded by the event's sequence number, so an event
     * written again after a crash before {@link #save} changes nothing.
     */
    @Override
    protected Long fold(Long applied, DomainEventMessage<?> event, ReplayStatus replayStatus) {
        String recordKey = ValidationViewKeys.keyRecord(event.getAggregateIdentifier());
        ((ApiKeyEvent) event.getPayload()).match(new EntryWrites(recordKey, event.getSequenceNumber()));
        return event.getSequenceNumber();
    }

    @Override
    protected void save(String keyId, Long loaded, Long folded) {
        redis.opsForHash().put(ValidationViewKeys.keyRecord(keyId), SEQUENCE, Long.toString(folded));
    }

    /** The writes of one event of a key, each guarded by the event's sequence number. */
    private final class EntryWrites implements ApiKeyEvent.Cases<Void> {

        private final String recordKey;
        private final long sequence;

        EntryWrites(String recordKey, long sequence) {
            this.recordKey = recordKey;
            this.sequence = sequence;
        }

        @Override
        public Void created(ApiKeyCreatedEvent e) {
            Map<String, String> record = ValidationViewKeys.settingsFields(e.permissions(), e.scope(), e.rateLimits(), e.expiresAt(),
                    e.allowedSources());
            record.put(KEY_ID, e.keyId());
            record.put(OWNER_ID, e.ownerId());
            record.put(CURRENT_SECRET, e.keyHash().hex());
            redis.opsForHash().putAll(recordKey, record);
            writeCurrent(e.keyHash(), sequence, record, e.expiresAt());
            return null;
        }

        @Override
        public Void rotated(ApiKeyRotatedEvent e) {
            Map<String, String> record = redis.<String, String>opsForHash().entries(recordKey);
            writeCurrent(e.newKeyHash(), sequence, record, epochMillis(record.get(EXPIRES_AT)));
            endAt(e.previousKeyHash(), sequence, e.previousKeyExpiresAt());
            if (e.retiredKeyHash() != null) {
                endAt(e.retiredKeyHash(), sequence, e.rotatedAt());
            }
            redis.opsForHash().putAll(recordKey, Map.of(CURRENT_SECRET, e.newKeyHash().hex(),
                    PREVIOUS_SECRET, e.previousKeyHash().hex()));
            return null;
        }

        @Override
        public Void updated(ApiKeyUpdatedEvent e) {
            Map<String, String> settings = ValidationViewKeys.settingsFields(e.permissions(), e.scope(), e.rateLimits(), e.expiresAt(),
                    e.allowedSources());
            redis.opsForHash().delete(recordKey, SETTINGS.toArray());
            redis.opsForHash().putAll(recordKey, settings);
            entries.write(e.keyHash(), sequence, settings, SETTINGS, lifetimeOf(e.expiresAt()));
            if (e.previousKeyHash() != null) {
                // a previous secret keeps the lifetime its grace end gave it
                entries.write(e.previousKeyHash(), sequence, settings, SETTINGS, Lifetime.keep());
            }
            return null;
        }

        @Override
        public Void graceEnded(ApiKeyRotationGraceEndedEvent e) {
            endAt(e.previousKeyHash(), sequence, e.endedAt());
            redis.opsForHash().delete(recordKey, PREVIOUS_SECRET);
            return null;
        }

        @Override
        public Void revoked(ApiKeyRevokedEvent e) {
            finish(recordKey, sequence, Arrays.asList(e.keyHash(), e.previousKeyHash()), STATUS_REVOKED,
                    e.revokedAt());
            return null;
        }

        @Override
        public Void expired(ApiKeyExpiredEvent e) {
            finish(recordKey, sequence, Arrays.asList(e.keyHash(), e.previousKeyHash()), STATUS_EXPIRED,
                    e.expiredAt());
            return null;
        }

        @Override
        public Void used(ApiKeyUsedEvent e) {
            // usage lives in the key view: verification does not read it
            return null;
        }
    }

    /**
     * A rebuild empties the view, then seeds every key at once from the MongoDB key view (whole while this view is
     * rebuilt: rebuilds run one at a time), each entry and key record at the view's version. The replayed stream then
     * only brings what is newer: replaying from the start would pass each entry through its older states, and for
     * the moment between a key's creation and its revocation being replayed, a revoked key would verify. Until a key
     * is seeded, verification finds it missing and asks the MongoDB view. SCAN is fine here, far from the verify path.
     */
    @ResetHandler
    void reset() {
        for (String pattern : List.of("ss:v:*", "ss:k:*")) {
            try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match(pattern).count(1000).build())) {
                keys.forEachRemaining(redis::delete);
            }
        }
        keyViews.forEach(this::seed);
    }

    private void seed(KeyView view) {
        String recordKey = ValidationViewKeys.keyRecord(view.keyId());
        Map<String, String> record = ValidationViewKeys.settingsFields(view.permissions(), view.scope(),
                view.rateLimits(), view.expiresAt(), view.allowedSources());
        record.put(KEY_ID, view.keyId());
        record.put(OWNER_ID, view.ownerId());
        record.put(CURRENT_SECRET, view.keyHash());
        if (view.previousKeyHash() != null) {
            record.put(PREVIOUS_SECRET, view.previousKeyHash());
        }
        record.put(SEQUENCE, Long.toString(view.version()));
        redis.opsForHash().putAll(recordKey, record);
        SecretEntry current = MongoVerificationFallback.entryOf(view, false);
        entries.write(KeyHash.of(view.keyHash()), view.version(), current.fields(), List.of(),
                current.lifetime(retention));
        if (view.previousKeyHash() != null && view.rotationExpiresAt() != null) {
            SecretEntry previous = MongoVerificationFallback.entryOf(view, true);
            entries.write(KeyHash.of(view.previousKeyHash()), view.version(), previous.fields(), List.of(),
                    previous.lifetime(retention));
        }
        Instant end = view.revokedAt() != null ? view.revokedAt() : view.expiresAt();
        if (view.status().isFinal() && end != null) {
            redis.expireAt(recordKey, end.plus(retention));
        }
    }

    private void writeCurrent(KeyHash hash, long sequence, Map<String, String> record, Instant expiresAt) {
        Map<String, String> entry = new HashMap<>(record);
        // the key's settings and who it is; the record's other fields are the projector's own
        entry.keySet().removeIf(field -> !SETTINGS.contains(field) && !field.equals(KEY_ID)
                && !field.equals(OWNER_ID));
        entry.put(STATUS, STATUS_ACTIVE);
        entries.write(hash, sequence, entry, List.of(GRACE_UNTIL), lifetimeOf(expiresAt));
    }

    private void endAt(KeyHash hash, long sequence, Instant end) {
        entries.write(hash, sequence, Map.of(GRACE_UNTIL, Long.toString(end.toEpochMilli())), List.of(),
                Lifetime.until(end.plus(retention)));
    }

    /** {@code secrets} may hold a null: a key that was never rotated has no previous secret. */
    private void finish(String recordKey, long sequence, List<KeyHash> secrets, String status, Instant at) {
        Lifetime lifetime = Lifetime.until(at.plus(retention));
        for (KeyHash hash : secrets) {
            if (hash != null) {
                entries.write(hash, sequence, Map.of(STATUS, status), List.of(), lifetime);
            }
        }
        redis.expireAt(recordKey, at.plus(retention));
    }

    private Lifetime lifetimeOf(Instant expiresAt) {
        return Lifetime.until(expiresAt == null ? null : expiresAt.plus(retention));
    }

    private static Instant epochMillis(String value) {
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }
}
