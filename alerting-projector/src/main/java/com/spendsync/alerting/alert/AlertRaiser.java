package com.spendsync.alerting.alert;

import com.spendsync.alerting.delivery.Notifier;
import com.spendsync.api.alert.AlertRaisedEvent;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.util.Map;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.springframework.stereotype.Component;

/**
 * What happens when a rule matches: the raise is counted into its alert, people are notified (subject to the
 * cool-down) and the raise is recorded in the audit trail as an {@link AlertRaisedEvent}; during a replay only the
 * counting happens: a rebuild recounts the alerts but notifies no one again. A raise redelivered after a crash may
 * be recorded twice in the audit trail (same alert id and count), never notified twice.
 */
@Component
public class AlertRaiser {

    /** The actor of every event the alerting service records: raises, expiry warnings, delivery outcomes. */
    public static final String ACTOR = "system:alerting";

    private final Alerts alerts;
    private final Notifier notifier;
    private final EventGateway events;

    AlertRaiser(Alerts alerts, Notifier notifier, EventGateway events) {
        this.alerts = alerts;
        this.notifier = notifier;
        this.events = events;
    }

    public void raise(Raise raise, ReplayStatus replayStatus) {
        Alert alert = alerts.raise(raise);
        if (replayStatus != ReplayStatus.REGULAR) {
            return;
        }
        if (alert == null) {
            // counted already: a redelivery. If this event was the last one counted, the crash may have come before
            // the notification was queued or the raise recorded; both steps are safe to run again.
            alert = alerts.find(raise.alertId());
            if (alert == null || !raise.eventId().equals(alert.lastEventId())) {
                return;
            }
        }
        notifier.notifyAbout(alert, raise);
        events.publish(GenericEventMessage.asEventMessage(new AlertRaisedEvent(alert.alertId(), alert.rule(),
                        alert.severity().name(), alert.subject(), alert.count(), raise.at()))
                .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, ACTOR)));
    }

    /** Drops every alert, for a rebuild from the first event. */
    public void forgetAll() {
        alerts.removeAll();
    }
}
