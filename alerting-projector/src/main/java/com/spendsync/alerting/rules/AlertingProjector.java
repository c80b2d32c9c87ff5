package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.alerting.alert.Raise;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Runs the alert rules over the event stream; {@link AlertRaiser} keeps the alert store and notifies, never during a
 * replay. The rules about keys read what {@link KeyStates} knows of the key before the event, and each of the key's
 * own events is folded into it once, in sequence, after its rules ran ({@link SequencedProjector}): an event
 * delivered again raises nothing more, and one the stream skipped is read from the key's history when the next one
 * arrives, or found by the late-commit sweep and reconciliation.
 */
@Component
@ProcessingGroup(AlertingProjector.PROCESSING_GROUP)
class AlertingProjector extends SequencedProjector<KeyState> {

    static final String PROCESSING_GROUP = "alerting";
    static final String USAGE_ANOMALY = "usage-anomaly";

    private final AlertSettings settings;
    private final List<RefusalRule> refusalRules;
    private final SlidingWindows windows;
    private final KeyStates keys;
    private final AlertRaiser raiser;
    private final Duration usageWindow;

    AlertingProjector(AlertSettings settings, SlidingWindows windows, KeyStates keys, AlertRaiser raiser,
                      AggregateSequenceGuard sequenceGuard,
                      @Value("${spendsync.usage.flush-interval}") Duration usageWindow) {
        super(PROCESSING_GROUP, sequenceGuard);
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
            long inWindow = windows.add(rule.windowName(), subject, message.getIdentifier(), failures.count(),
                    failures.lastSeen(), rule.window());
            if (rule.matches(inWindow)) {
                String detail = rule.describe(inWindow, failures);
                String keyId = rule.keyIdOf(failures);
                raiser.raise(keyId != null
                        ? keys.find(keyId).raise(rule.name(), rule.severity(), detail, message.getIdentifier(),
                                failures.lastSeen())
                        : Raise.aboutSource(rule.name(), rule.severity(), subject, detail, message.getIdentifier(),
                                failures.lastSeen()), replayStatus);
            }
        }
        AlertSettings.PrivilegeChange privilegeChange = settings.privilegeChange();
        if (privilegeChange.enabled() && PrivilegeChange.matches(failures)) {
            // an alert of its own: refusals anyone can provoke must not hold back or overwrite a real change's alert
            raiser.raise(keys.find(failures.keyId()).raiseAs(PrivilegeChange.refusedSubject(failures.keyId()),
                    PrivilegeChange.RULE, privilegeChange.severity(),
                    failures.count() + " request(s) by root key " + failures.byKeyId() + " refused: it tried to act "
                            + "on this key, which holds power it lacks",
                    message.getIdentifier(), failures.lastSeen()), replayStatus);
        }
    }

    /** The rules' state of the key, or null before its first event. */
    @Override
    protected KeyState load(String keyId) {
        KeyState key = keys.find(keyId);
        return key.appliedSequence() < 0 ? null : key;
    }

    @Override
    protected long sequenceOf(KeyState key) {
        return key.appliedSequence();
    }

    /**
     * Runs the key rules on the key's state before the event, then folds the event in. Events of the key that the
     * stream skipped (a late commit) come here first, from the key's history, so a skipped root-key creation still
     * raises its alert.
     */
    @Override
    protected KeyState fold(KeyState known, DomainEventMessage<?> event, ReplayStatus replayStatus) {
        KeyState key = known != null ? known : KeyState.unknown(event.getAggregateIdentifier());
        KeyState next = ((ApiKeyEvent) event.getPayload()).match(new ApiKeyEvent.Cases<>() {
            @Override
            public KeyState created(ApiKeyCreatedEvent created) {
                return AlertingProjector.this.created(created, key, event, replayStatus);
            }

            @Override
            public KeyState updated(ApiKeyUpdatedEvent updated) {
                return AlertingProjector.this.updated(updated, key, event, replayStatus);
            }

            @Override
            public KeyState used(ApiKeyUsedEvent used) {
                return AlertingProjector.this.used(used, key, event, replayStatus);
            }

            @Override
            public KeyState rotated(ApiKeyRotatedEvent rotated) {
                rootKeyChanged(key, "root key rotated: a new secret holds " + key.permissions(), event,
                        rotated.rotatedAt(), replayStatus);
                return key.after(rotated);
            }

            @Override
            public KeyState revoked(ApiKeyRevokedEvent revoked) {
                rootKeyChanged(key, "root key holding " + key.permissions() + " revoked", event, revoked.revokedAt(),
                        replayStatus);
                return key.after(revoked);
            }

            @Override
            public KeyState graceEnded(ApiKeyRotationGraceEndedEvent graceEnded) {
                return key.after(graceEnded);
            }

            @Override
            public KeyState expired(ApiKeyExpiredEvent expired) {
                return key.after(expired);
            }
        });
        return next.appliedUpTo(event.getSequenceNumber());
    }

    @Override
    protected void save(String keyId, KeyState loaded, KeyState folded) {
        keys.save(folded);
    }

    private KeyState created(ApiKeyCreatedEvent created, KeyState key, EventMessage<?> message,
                             ReplayStatus replayStatus) {
        KeyState next = key.after(created);
        AlertSettings.PrivilegeChange rule = settings.privilegeChange();
        if (rule.enabled() && PrivilegeChange.matches(created)) {
            raiser.raise(next.raise(PrivilegeChange.RULE, rule.severity(), "key created with management permissions "
                    + created.permissions() + scopeText(created.scope()), message.getIdentifier(),
                    created.createdAt()), replayStatus);
        }
        return next;
    }

    private KeyState updated(ApiKeyUpdatedEvent updated, KeyState key, EventMessage<?> message,
                             ReplayStatus replayStatus) {
        AlertSettings.PrivilegeChange rule = settings.privilegeChange();
        if (rule.enabled() && PrivilegeChange.matches(updated)) {
            String change = updated.changedFields().contains("permissions")
                    ? "key granted management permissions " + updated.permissions()
                    : updated.changedFields().contains("scope") ? "root key's scope changed"
                    : "root key's expiry changed to " + (updated.expiresAt() == null ? "never" : updated.expiresAt());
            raiser.raise(key.raise(PrivilegeChange.RULE, rule.severity(), change + scopeText(updated.scope()),
                    message.getIdentifier(), updated.updatedAt()), replayStatus);
        }
        return key.after(updated);
    }

    private void rootKeyChanged(KeyState before, String detail, EventMessage<?> message, Instant at,
                                ReplayStatus replayStatus) {
        AlertSettings.PrivilegeChange rule = settings.privilegeChange();
        if (rule.enabled() && PrivilegeChange.matches(before)) {
            raiser.raise(before.raise(PrivilegeChange.RULE, rule.severity(), detail, message.getIdentifier(), at),
                    replayStatus);
        }
    }

    private static String scopeText(KeyScope scope) {
        return scope == null ? ", acting on every owner" : ", scope " + scope.owners();
    }

    private KeyState used(ApiKeyUsedEvent used, KeyState key, EventMessage<?> message, ReplayStatus replayStatus) {
        AlertSettings.LateGraceUse lateGrace = settings.lateGraceUse();
        if (lateGrace.enabled()) {
            LateGraceUse.lateUse(key.grace(), used, lateGrace.remainingFraction()).ifPresent(late ->
                    raiser.raise(key.raise(LateGraceUse.RULE, lateGrace.severity(),
                            LateGraceUse.describe(late, key.grace(), lateGrace.remainingFraction()),
                            message.getIdentifier(), late.lastUsedAt()), replayStatus));
        }
        AlertSettings.UsageAnomaly anomaly = settings.usageAnomaly();
        long uses = used.validUses();
        UsageBaseline baseline = key.usage();
        if (anomaly.enabled() && baseline.isExceededBy(uses, anomaly.warmUpWindows(), anomaly.factor(),
                anomaly.minUses())) {
            raiser.raise(key.raise(USAGE_ANOMALY, anomaly.severity(),
                    String.format(Locale.ROOT, "%d valid uses in one usage window of %s, against a baseline of "
                            + "%.1f per window", uses, usageWindow, baseline.mean()),
                    message.getIdentifier(), used.flushedAt()), replayStatus);
        }
        return key.withUsage(baseline.observe(uses, used.flushedAt(), usageWindow, anomaly.smoothing()));
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
            raiser.raise(key.raise(ExpiringSoon.RULE, rule.severity(), ExpiringSoon.describe(approaching), ExpiringSoon.idempotencyId(approaching),
                    approaching.observedAt()), replayStatus);
        }
        keys.save(key.warned(approaching.threshold(), approaching.expiresAt()));
    }

    @ResetHandler
    void reset() {
        raiser.forgetAll();
        windows.removeAll();
        keys.removeAll();
    }
}
