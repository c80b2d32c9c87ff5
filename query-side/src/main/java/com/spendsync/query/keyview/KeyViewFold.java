package com.spendsync.query.keyview;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * How one event changes a key's view. The projector folds events into the stored view with it, and the as-of
 * endpoint folds a key's history up to an instant with it, so both always agree.
 */
public final class KeyViewFold {

    private KeyViewFold() {
    }

    /** The view after one event of the key's own stream, which holds nothing but key events. */
    public static KeyView apply(KeyView view, DomainEventMessage<?> event) {
        Draft draft = ((ApiKeyEvent) event.getPayload()).match(new Draft(view));
        // a view that does not know the timestamps of its earlier events cannot know their latest
        draft.foldedUntil = view != null && view.foldedUntil() == null ? null : foldedUntil(draft.foldedUntil, event);
        return draft.build(event.getSequenceNumber());
    }

    /** The view after {@code event}; {@code view} is null before the key's first event. */
    public static KeyView apply(KeyView view, ApiKeyEvent event, long sequence) {
        return event.match(new Draft(view)).build(sequence);
    }

    /**
     * The latest timestamp of the events folded in, {@code event} included ({@code before}: that of the events
     * before it, null for none). MongoDB keeps dates to the millisecond and event timestamps have microseconds:
     * rounded up, a stored foldedUntil at or before an instant still means every event folded in came at or before it.
     */
    static Instant foldedUntil(Instant before, DomainEventMessage<?> event) {
        return latest(before, upToTheMillisecond(event.getTimestamp()));
    }

    private static Instant upToTheMillisecond(Instant instant) {
        Instant millis = instant.truncatedTo(ChronoUnit.MILLIS);
        return millis.equals(instant) ? instant : millis.plusMillis(1);
    }

    private static Instant latest(Instant first, Instant second) {
        if (first == null) {
            return second;
        }
        return second == null || first.isAfter(second) ? first : second;
    }

    /** The view's fields while one event is applied. */
    private static final class Draft implements ApiKeyEvent.Cases<Draft> {
        String keyId;
        String ownerId;
        String name;
        String prefix;
        KeyEnvironment environment;
        List<String> permissions;
        KeyScope scope;
        KeyStatus status;
        Instant createdAt;
        Instant expiresAt;
        Instant lastUsedAt;
        Instant rotatedAt;
        Instant rotationExpiresAt;
        Instant revokedAt;
        List<RateLimitPolicy> rateLimits = List.of();
        List<String> allowedSources;
        Map<String, Object> metadata;
        KeyView.Usage usage;
        String keyHash;
        String previousKeyHash;
        List<KeyView.RetiredSecret> retiredSecrets = List.of();
        Instant foldedUntil;

        Draft(KeyView view) {
            if (view == null) {
                return;
            }
            keyId = view.keyId();
            ownerId = view.ownerId();
            name = view.name();
            prefix = view.prefix();
            environment = view.environment();
            permissions = view.permissions();
            scope = view.scope();
            status = view.status();
            createdAt = view.createdAt();
            expiresAt = view.expiresAt();
            lastUsedAt = view.lastUsedAt();
            rotatedAt = view.rotatedAt();
            rotationExpiresAt = view.rotationExpiresAt();
            revokedAt = view.revokedAt();
            rateLimits = view.rateLimits();
            allowedSources = view.allowedSources();
            metadata = view.metadata();
            usage = view.usage();
            keyHash = view.keyHash();
            previousKeyHash = view.previousKeyHash();
            // a view stored before retired secrets were kept has none
            retiredSecrets = view.retiredSecrets() == null ? List.of() : view.retiredSecrets();
            foldedUntil = view.foldedUntil();
        }

        @Override
        public Draft created(ApiKeyCreatedEvent e) {
            keyId = e.keyId();
            ownerId = e.ownerId();
            name = e.name();
            prefix = e.prefix();
            environment = e.environment();
            permissions = e.permissions();
            scope = e.scope();
            status = KeyStatus.ACTIVE;
            createdAt = e.createdAt();
            expiresAt = e.expiresAt();
            rateLimits = e.rateLimits();
            allowedSources = e.allowedSources();
            metadata = e.metadata();
            usage = new KeyView.Usage(0, 0);
            keyHash = e.keyHash().hex();
            return this;
        }

        @Override
        public Draft rotated(ApiKeyRotatedEvent e) {
            if (!e.graceRuns()) {
                retire(e.previousKeyHash().hex(), e.rotatedAt());
            }
            if (e.retiredKeyHash() != null) {
                retire(e.retiredKeyHash().hex(), e.rotatedAt());
            }
            prefix = e.newPrefix();
            status = e.graceRuns() ? KeyStatus.ROTATING : KeyStatus.ACTIVE;
            rotatedAt = e.rotatedAt();
            rotationExpiresAt = e.graceRuns() ? e.previousKeyExpiresAt() : null;
            keyHash = e.newKeyHash().hex();
            previousKeyHash = e.graceRuns() ? e.previousKeyHash().hex() : null;
            return this;
        }

        @Override
        public Draft updated(ApiKeyUpdatedEvent e) {
            name = e.name();
            permissions = e.permissions();
            scope = e.scope();
            metadata = e.metadata();
            rateLimits = e.rateLimits();
            allowedSources = e.allowedSources();
            expiresAt = e.expiresAt();
            return this;
        }

        @Override
        public Draft graceEnded(ApiKeyRotationGraceEndedEvent e) {
            retire(e.previousKeyHash().hex(), e.endedAt());
            status = KeyStatus.ACTIVE;
            rotationExpiresAt = null;
            previousKeyHash = null;
            return this;
        }

        @Override
        public Draft revoked(ApiKeyRevokedEvent e) {
            status = KeyStatus.REVOKED;
            revokedAt = e.revokedAt();
            return this;
        }

        @Override
        public Draft expired(ApiKeyExpiredEvent e) {
            status = KeyStatus.EXPIRED;
            return this;
        }

        @Override
        public Draft used(ApiKeyUsedEvent e) {
            lastUsedAt = latest(lastUsedAt, e.lastUsedAt());
            usage = new KeyView.Usage(usage.total() + e.validUses(), usage.rejected() + e.rejectedUses());
            return this;
        }

        private void retire(String hash, Instant endedAt) {
            List<KeyView.RetiredSecret> retired = new ArrayList<>(retiredSecrets);
            retired.add(new KeyView.RetiredSecret(hash, endedAt));
            retiredSecrets = List.copyOf(retired);
        }

        KeyView build(long sequence) {
            return new KeyView(keyId, ownerId, name, prefix, environment, permissions, scope, status, createdAt,
                    expiresAt, lastUsedAt, rotatedAt, rotationExpiresAt, revokedAt, rateLimits, allowedSources,
                    metadata, usage, keyHash, previousKeyHash, retiredSecrets, sequence, foldedUntil, null);
        }
    }
}
