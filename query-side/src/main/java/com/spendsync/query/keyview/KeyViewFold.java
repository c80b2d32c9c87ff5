package com.spendsync.query.keyview;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
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
import java.util.List;
import java.util.Map;

/**
 * How one event changes a key's view. The projector folds events into the stored view with it, and the as-of
 * endpoint folds a key's history up to an instant with it, so both always agree.
 */
public final class KeyViewFold {

    private KeyViewFold() {
    }

    public static boolean isKeyEvent(Object event) {
        return event.getClass().getPackageName().equals(ApiKeyCreatedEvent.class.getPackageName());
    }

    /** The view after {@code event}; {@code view} is null before the key's first event. */
    public static KeyView apply(KeyView view, Object event, long sequence) {
        Draft draft = new Draft(view);
        if (event instanceof ApiKeyCreatedEvent e) {
            draft.keyId = e.keyId();
            draft.ownerId = e.ownerId();
            draft.name = e.name();
            draft.prefix = e.prefix();
            draft.environment = e.environment();
            draft.permissions = e.permissions();
            draft.scope = e.scope();
            draft.status = KeyStatus.ACTIVE;
            draft.createdAt = e.createdAt();
            draft.expiresAt = e.expiresAt();
            draft.rateLimit = e.rateLimit();
            draft.metadata = e.metadata();
            draft.usage = new KeyView.Usage(0, 0);
            draft.keyHash = e.keyHash().hex();
        } else if (event instanceof ApiKeyRotatedEvent e) {
            boolean graceRuns = e.previousKeyExpiresAt().isAfter(e.rotatedAt());
            draft.prefix = e.newPrefix();
            draft.status = graceRuns ? KeyStatus.ROTATING : KeyStatus.ACTIVE;
            draft.rotatedAt = e.rotatedAt();
            draft.rotationExpiresAt = graceRuns ? e.previousKeyExpiresAt() : null;
            draft.keyHash = e.newKeyHash().hex();
            draft.previousKeyHash = graceRuns ? e.previousKeyHash().hex() : null;
        } else if (event instanceof ApiKeyUpdatedEvent e) {
            draft.name = e.name();
            draft.permissions = e.permissions();
            draft.scope = e.scope();
            draft.metadata = e.metadata();
            draft.rateLimit = e.rateLimit();
            draft.expiresAt = e.expiresAt();
        } else if (event instanceof ApiKeyRotationGraceEndedEvent) {
            draft.status = KeyStatus.ACTIVE;
            draft.rotationExpiresAt = null;
            draft.previousKeyHash = null;
        } else if (event instanceof ApiKeyRevokedEvent e) {
            draft.status = KeyStatus.REVOKED;
            draft.revokedAt = e.revokedAt();
        } else if (event instanceof ApiKeyExpiredEvent) {
            draft.status = KeyStatus.EXPIRED;
        } else if (event instanceof ApiKeyUsedEvent e) {
            draft.lastUsedAt = latest(draft.lastUsedAt, e.lastUsedAt());
            draft.usage = new KeyView.Usage(draft.usage.total() + e.validUses(),
                    draft.usage.rejected() + e.rejectedUses());
        } else {
            return view;
        }
        return draft.build(sequence);
    }

    private static Instant latest(Instant first, Instant second) {
        if (first == null) {
            return second;
        }
        return second == null || first.isAfter(second) ? first : second;
    }

    /** The view's fields while one event is applied. */
    private static final class Draft {
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
        RateLimitPolicy rateLimit;
        Map<String, Object> metadata;
        KeyView.Usage usage;
        String keyHash;
        String previousKeyHash;

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
            rateLimit = view.rateLimit();
            metadata = view.metadata();
            usage = view.usage();
            keyHash = view.keyHash();
            previousKeyHash = view.previousKeyHash();
        }

        KeyView build(long sequence) {
            return new KeyView(keyId, ownerId, name, prefix, environment, permissions, scope, status, createdAt,
                    expiresAt,
                    lastUsedAt, rotatedAt, rotationExpiresAt, revokedAt, rateLimit, metadata, usage, keyHash,
                    previousKeyHash, sequence);
        }
    }
}
