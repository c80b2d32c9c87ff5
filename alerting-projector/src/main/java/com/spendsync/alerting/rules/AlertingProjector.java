package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.alerting.alert.Raise;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Runs the alert rules over the event stream; {@link AlertRaiser} keeps the alert store and notifies, never during a
 * replay. The rules about keys read what {@link KeyStates} knows of the key before the event, and each of the key's
 * own events is folded into it once, after its rules ran: an event delivered again after that raises nothing more.
 */
@Component
@ProcessingGroup(AlertingProjector.PROCESSING_GROUP)
class AlertingProjector {

    static final String PROCESSING_GROUP = "alerting";
    static final String USAGE_ANOMALY = "usage-anomaly";

    private final AlertSettings settings;
    private final List<RefusalRule> refusalRules;
    private final SlidingWindows windows;
    private final KeyStates keys;
    private final AlertRaiser raiser;
    private final Duration usageWindow;

    AlertingProjector(AlertSettings settings, SlidingWindows windows, KeyStates keys, AlertRaiser raiser,
                      @Value("${spendsync.usage.flush-interval}") Duration usageWindow) {
        this.settings = settings;
        this.refusalRules = RefusalRule.of(settings);
        this.windows = windows;
        this.keys = keys;
        this.raiser = raiser;
        this.usageWindow = usageWindow;
    }

    @EventHandler
    void on(AccessFailuresObservedEvent failures, EventMessage<?> message, ReplayStatus replayStatus) {
        for (RefusalRule rule : refusalRules) {
            if (!rule.counts(failures)) {
                continue;
            }
            String subject = rule.subjectOf(failures);
            long inWindow = windows.add(rule.name(), subject, message.getIdentifier(), failures.count(),
                    failures.lastSeen(), rule.window());
            if (rule.matches(inWindow)) {
                String keyId = rule.perKey() ? failures.keyId() : null;
                raiser.raise(new Raise(rule.name(), rule.severity(), subject, keyId,
                        keyId == null ? null : keys.find(keyId).prefix(), rule.describe(inWindow, failures),
                        message.getIdentifier(), failures.lastSeen()), replayStatus);
            }
        }
    }

    @EventHandler
    void on(ApiKeyCreatedEvent created, EventMessage<?> message, @SequenceNumber long sequence,
            ReplayStatus replayStatus) {
        fold(created.keyId(), sequence, key -> {
            AlertSettings.PrivilegeChange rule = settings.privilegeChange();
            if (rule.enabled() && PrivilegeChange.matches(created)) {
                raiser.raise(new Raise(PrivilegeChange.RULE, rule.severity(), created.keyId(), created.keyId(),
                        created.prefix(), "key created with management permissions " + created.permissions(),
                        message.getIdentifier(), created.createdAt()), replayStatus);
            }
            return key.after(created);
        });
    }

    @EventHandler
    void on(ApiKeyUpdatedEvent updated, EventMessage<?> message, @SequenceNumber long sequence,
            ReplayStatus replayStatus) {
        fold(updated.keyId(), sequence, key -> {
            AlertSettings.PrivilegeChange rule = settings.privilegeChange();
            if (rule.enabled() && PrivilegeChange.matches(updated)) {
                raiser.raise(new Raise(PrivilegeChange.RULE, rule.severity(), updated.keyId(), updated.keyId(),
                        key.prefix(), "key granted management permissions " + updated.permissions(),
                        message.getIdentifier(), updated.updatedAt()), replayStatus);
            }
            return key.after(updated);
        });
    }

    @EventHandler
    void on(ApiKeyRotatedEvent rotated, @SequenceNumber long sequence) {
        fold(rotated.keyId(), sequence, key -> key.after(rotated));
    }

    @EventHandler
    void on(ApiKeyRotationGraceEndedEvent graceEnded, @SequenceNumber long sequence) {
        fold(graceEnded.keyId(), sequence, key -> key.after(graceEnded));
    }

    @EventHandler
    void on(ApiKeyRevokedEvent revoked, @SequenceNumber long sequence) {
        fold(revoked.keyId(), sequence, key -> key.after(revoked));
    }

    @EventHandler
    void on(ApiKeyExpiredEvent expired, @SequenceNumber long sequence) {
        fold(expired.keyId(), sequence, key -> key.after(expired));
    }

    @EventHandler
    void on(ApiKeyUsedEvent used, EventMessage<?> message, @SequenceNumber long sequence,
            ReplayStatus replayStatus) {
        fold(used.keyId(), sequence, key -> {
            AlertSettings.LateGraceUse lateGrace = settings.lateGraceUse();
            if (lateGrace.enabled()) {
                LateGraceUse.lateUse(key.grace(), used, lateGrace.remainingFraction()).ifPresent(late ->
                        raiser.raise(new Raise(LateGraceUse.RULE, lateGrace.severity(), used.keyId(), used.keyId(),
                                key.prefix(), LateGraceUse.describe(late, key.grace(), lateGrace.remainingFraction()),
                                message.getIdentifier(), late.lastUsedAt()), replayStatus));
            }
            AlertSettings.UsageAnomaly anomaly = settings.usageAnomaly();
            long uses = used.validUses();
            UsageBaseline baseline = key.usage();
            if (anomaly.enabled() && baseline.isExceededBy(uses, anomaly.warmUpWindows(), anomaly.factor(),
                    anomaly.minUses())) {
                raiser.raise(new Raise(USAGE_ANOMALY, anomaly.severity(), used.keyId(), used.keyId(),
                        key.prefix(), String.format(Locale.ROOT, "%d valid uses in one usage window of %s, against "
                                + "a baseline of %.1f per window", uses, usageWindow, baseline.mean()),
                        message.getIdentifier(), used.flushedAt()), replayStatus);
            }
            return key.withUsage(baseline.observe(uses, used.flushedAt(), usageWindow, anomaly.smoothing()));
        });
    }

    /**
     * A warning the {@link ExpiryChecker} recorded. It is marked in the key's state even with the rule off, so a
     * replay restores what was warned and the checker does not record it again.
     */
    @EventHandler
    void on(KeyExpiryApproachingEvent approaching, ReplayStatus replayStatus) {
        KeyState key = keys.find(approaching.keyId());
        if (!ExpiringSoon.stillDue(key, approaching)) {
            return;
        }
        AlertSettings.ExpiringSoon rule = settings.expiringSoon();
        if (rule.enabled()) {
            raiser.raise(new Raise(ExpiringSoon.RULE, rule.severity(), key.keyId(), key.keyId(), key.prefix(),
                    ExpiringSoon.describe(approaching), ExpiringSoon.idempotencyId(approaching),
                    approaching.observedAt()), replayStatus);
        }
        keys.save(key.warned(approaching.threshold(), approaching.expiresAt()));
    }

    /**
     * Runs {@code rulesThenFold} on the key's state before its {@code sequence}-th event, unless that event was
     * folded in already, and stores the state it returns.
     */
    private void fold(String keyId, long sequence, UnaryOperator<KeyState> rulesThenFold) {
        KeyState key = keys.find(keyId);
        if (!key.applied(sequence)) {
            keys.save(rulesThenFold.apply(key).appliedUpTo(sequence));
        }
    }

    @ResetHandler
    void reset() {
        raiser.forgetAll();
        windows.removeAll();
        keys.removeAll();
    }
}
