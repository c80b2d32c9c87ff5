package com.spendsync.alerting.alert;

import com.spendsync.api.alert.AlertRaisedEvent;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.util.Map;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.springframework.stereotype.Component;

/**
 * What happens when a rule matches: the raise is counted into its alert and recorded in the audit trail as an
 * {@link AlertRaisedEvent}, except during a replay: a rebuild recounts the alerts but notifies no one again.
 */
@Component
public class AlertRaiser {

    static final String ACTOR = "system:alerting";

    private final Alerts alerts;
    private final EventGateway events;

    AlertRaiser(Alerts alerts, EventGateway events) {
        this.alerts = alerts;
        this.events = events;
    }

    public void raise(Raise raise, ReplayStatus replayStatus) {
        Alert alert = alerts.raise(raise);
        if (alert != null && replayStatus == ReplayStatus.REGULAR) {
            events.publish(GenericEventMessage.asEventMessage(new AlertRaisedEvent(alert.alertId(), alert.rule(),
                            alert.severity().name(), alert.subject(), alert.count(), raise.at()))
                    .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, ACTOR)));
        }
    }

    /** Drops every alert, for a rebuild from the first event. */
    public void forgetAll() {
        alerts.removeAll();
    }
}
