package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.Raise;
import com.spendsync.alerting.alert.Severity;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.data.annotation.Id;

/**
 * What the alert rules know of one key, folded from its events. {@code appliedSequence} is the sequence number of
 * the last of the key's own events folded in (-1 before any), so an event delivered again changes nothing.
 *
 * @param grace    the latest rotation's grace period, kept after it ends: its last uses may be flushed later
 * @param warnings the expiry warnings given for the current {@code expiresAt}
 */
record KeyState(@Id String keyId, String prefix, String ownerId, KeyEnvironment environment, List<String> permissions,
                Instant expiresAt, KeyStatus status, Grace grace, UsageBaseline usage, List<ExpiryWarning> warnings,
                long appliedSequence) {

    /** The previous secret, known by its hash, worked beside the new one from {@code rotatedAt} to {@code endsAt}. */
    record Grace(String previousKeyHash, Instant rotatedAt, Instant endsAt) {
    }

    /** The key was warned, {@code threshold} ahead, that it expires at {@code expiresAt}. */
    record ExpiryWarning(Duration threshold, Instant expiresAt) {
    }

    static KeyState unknown(String keyId) {
        return new KeyState(keyId, null, null, null, List.of(), null, null, null, UsageBaseline.NONE, List.of(), -1);
    }

    /** Revoked or expired: nothing is left to warn about. */
    boolean ended() {
        return status != null && status.isFinal();
    }

    /** The state after a lifecycle event of the key; other events leave it as it was. */
    KeyState after(ApiKeyEvent event) {
        return event.match(new ApiKeyEvent.Cases<>() {
            @Override
            public KeyState created(ApiKeyCreatedEvent e) {
                return new KeyState(keyId, e.prefix(), e.ownerId(), e.environment(), e.permissions(),
                        stored(e.expiresAt()), KeyStatus.ACTIVE, null, usage, List.of(), appliedSequence);
            }

            @Override
            public KeyState rotated(ApiKeyRotatedEvent e) {
                return new KeyState(keyId, e.newPrefix(), ownerId, environment, permissions, expiresAt,
                        e.graceRuns() ? KeyStatus.ROTATING : KeyStatus.ACTIVE,
                        new Grace(e.previousKeyHash().hex(), e.rotatedAt(), e.previousKeyExpiresAt()), usage,
                        warnings, appliedSequence);
            }

            @Override
            public KeyState updated(ApiKeyUpdatedEvent e) {
                // a warning about another expiry instant no longer applies: the new one may be warned about again
                Instant next = stored(e.expiresAt());
                List<ExpiryWarning> kept = warnings.stream()
                        .filter(warning -> Objects.equals(warning.expiresAt(), next)).toList();
                return new KeyState(keyId, prefix, ownerId, environment, e.permissions(), next, status, grace, usage,
                        kept, appliedSequence);
            }

            @Override
            public KeyState graceEnded(ApiKeyRotationGraceEndedEvent e) {
                return withStatus(KeyStatus.ACTIVE);
            }

            @Override
            public KeyState revoked(ApiKeyRevokedEvent e) {
                return withStatus(KeyStatus.REVOKED);
            }

            @Override
            public KeyState expired(ApiKeyExpiredEvent e) {
                return withStatus(KeyStatus.EXPIRED);
            }

            @Override
            public KeyState used(ApiKeyUsedEvent e) {
                return KeyState.this;
            }
        });
    }

    /** Whether the key holds power over the management plane. */
    boolean isRootKey() {
        return permissions != null && Permissions.reachManagement(permissions);
    }

    /** A raise about this key: its id is the subject, and the alert names its owner and environment. */
    Raise raise(String rule, Severity severity, String detail, String eventId, Instant at) {
        return raiseAs(keyId, rule, severity, detail, eventId, at);
    }

    /** A raise about this key under another subject, so it is an alert of its own, throttled apart. */
    Raise raiseAs(String subject, String rule, Severity severity, String detail, String eventId, Instant at) {
        return new Raise(rule, severity, subject, keyId, prefix, detail, eventId, at, ownerId, environment);
    }

    KeyState withUsage(UsageBaseline baseline) {
        return new KeyState(keyId, prefix, ownerId, environment, permissions, expiresAt, status, grace, baseline,
                warnings, appliedSequence);
    }

    KeyState warned(Duration threshold, Instant warnedExpiresAt) {
        List<ExpiryWarning> given = new ArrayList<>(warnings);
        given.add(new ExpiryWarning(threshold, warnedExpiresAt));
        return new KeyState(keyId, prefix, ownerId, environment, permissions, expiresAt, status, grace, usage,
                List.copyOf(given), appliedSequence);
    }

    KeyState appliedUpTo(long sequence) {
        return new KeyState(keyId, prefix, ownerId, environment, permissions, expiresAt, status, grace, usage,
                warnings, sequence);
    }

    /** As MongoDB keeps it, to the millisecond, so an instant compares equal to its stored self. */
    private static Instant stored(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private KeyState withStatus(KeyStatus next) {
        return new KeyState(keyId, prefix, ownerId, environment, permissions, expiresAt,
                status != null && status.isFinal() ? status : next, grace, usage, warnings, appliedSequence);
    }
}
