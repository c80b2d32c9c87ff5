package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.alerting.alert.Raise;
import com.spendsync.alerting.alert.Severity;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/**
 * Runs the alert rules over the event stream; {@link AlertRaiser} keeps the alert store and notifies, never during a
 * replay.
 */
@Component
@ProcessingGroup(AlertingProjector.PROCESSING_GROUP)
class AlertingProjector {

    static final String PROCESSING_GROUP = "alerting";
    static final String BRUTE_FORCE = "brute-force";
    /** Refusals of verification: someone trying keys. Refused management credentials are not counted here. */
    private static final Set<String> KEY_GUESSES = Set.of(AccessFailures.UNKNOWN_KEY, AccessFailures.MALFORMED_KEY);

    private final AlertSettings settings;
    private final BruteForceWindow window;
    private final AlertRaiser raiser;

    AlertingProjector(AlertSettings settings, BruteForceWindow window, AlertRaiser raiser) {
        this.settings = settings;
        this.window = window;
        this.raiser = raiser;
    }

    @EventHandler
    void on(AccessFailuresObservedEvent failures, EventMessage<?> message, ReplayStatus replayStatus) {
        AlertSettings.BruteForce bruteForce = settings.bruteForce();
        if (!bruteForce.enabled() || !KEY_GUESSES.contains(failures.kind())) {
            return;
        }
        long inWindow = window.add(new BruteForceWindow.Entry(message.getIdentifier(), failures.source(),
                failures.count(), failures.lastSeen()), bruteForce.window());
        if (inWindow >= bruteForce.threshold()) {
            raise(new Raise(BRUTE_FORCE, Severity.HIGH, failures.source(), null, null,
                    inWindow + " unknown or malformed keys tried from " + failures.source() + " within "
                            + bruteForce.window(), message.getIdentifier(), failures.lastSeen()), replayStatus);
        }
    }

    @EventHandler
    void on(ApiKeyCreatedEvent created, EventMessage<?> message, ReplayStatus replayStatus) {
        if (settings.privilegeChange().enabled() && PrivilegeChange.matches(created)) {
            raise(new Raise(PrivilegeChange.RULE, Severity.HIGH, created.keyId(), created.keyId(), created.prefix(),
                    "key created with management permissions " + created.permissions(), message.getIdentifier(),
                    created.createdAt()), replayStatus);
        }
    }

    @EventHandler
    void on(ApiKeyUpdatedEvent updated, EventMessage<?> message, ReplayStatus replayStatus) {
        if (settings.privilegeChange().enabled() && PrivilegeChange.matches(updated)) {
            raise(new Raise(PrivilegeChange.RULE, Severity.HIGH, updated.keyId(), updated.keyId(), null,
                    "key granted management permissions " + updated.permissions(), message.getIdentifier(),
                    updated.updatedAt()), replayStatus);
        }
    }

    private void raise(Raise raise, ReplayStatus replayStatus) {
        raiser.raise(raise, replayStatus);
    }

    @ResetHandler
    void reset() {
        raiser.forgetAll();
        window.removeAll();
    }
}
