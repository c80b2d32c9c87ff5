package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * The clock of the expiring-soon rule: every check interval it looks for keys whose expiry has come within a
 * threshold, and records each warning due as a {@link KeyExpiryApproachingEvent}. The projector raises the alert and
 * marks the warning in the key's state, so a replay restores it and the warning is not recorded again. It does not
 * check while the alerting processor is stopped, replaying or running no segment here, when the key states may be
 * partial; should two instances record the same warning, the projector counts it once.
 */
@Component
public class ExpiryChecker implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(ExpiryChecker.class);

    private final AlertSettings.ExpiringSoon settings;
    private final KeyStates keys;
    private final EventGateway events;
    private final AlertingReadiness readiness;
    private final Clock clock;

    ExpiryChecker(AlertSettings settings, KeyStates keys, EventGateway events, AlertingReadiness readiness,
                  Clock clock) {
        this.settings = settings.expiringSoon();
        this.keys = keys;
        this.events = events;
        this.readiness = readiness;
        this.clock = clock;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (settings.enabled()) {
            registrar.addFixedDelayTask(this::check, settings.checkInterval());
        }
    }

    /** Records the warnings due now; false when it could not look, the alerting processor not being ready. */
    public boolean check() {
        if (!readiness.ready()) {
            return false;
        }
        Instant now = clock.instant();
        List<Duration> thresholds = settings.thresholds();
        for (KeyState key : keys.expiringBetween(now, now.plus(Collections.max(thresholds)))) {
            Optional<Duration> due = ExpiringSoon.due(key, now, thresholds);
            if (due.isEmpty()) {
                continue;
            }
            try {
                events.publish(GenericEventMessage.asEventMessage(new KeyExpiryApproachingEvent(key.keyId(),
                                key.expiresAt(), due.get(), now))
                        .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, AlertRaiser.ACTOR)));
            } catch (RuntimeException e) {
                log.warn("Could not record that key {} expires within {}; the next check tries again: {}",
                        key.keyId(), due.get(), e.toString());
            }
        }
        return true;
    }
}
