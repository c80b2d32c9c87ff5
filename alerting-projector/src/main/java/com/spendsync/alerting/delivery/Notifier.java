package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.Alert;
import com.spendsync.alerting.alert.Raise;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Turns a raise into messages: unless its event is older than {@code max-age} (history read for the first time),
 * asks the cool-down whether this raise may notify, and if so queues one notification per channel that takes the
 * alert's severity, then wakes the senders. Each step can run again for the same event
 * with the same result, so a crash anywhere in between ends, after the restart, in exactly one queued message per
 * channel.
 */
@Component
public class Notifier {

    /** Every channel an alert can go to, whether set up on this deployment or not. */
    public static final List<String> CHANNELS = List.of(EmailChannel.NAME, SlackChannel.NAME);

    private final Throttle throttle;
    private final Outbox outbox;
    private final List<AlertChannel> channels;
    private final AlertDispatcher dispatcher;
    private final DeliverySettings settings;
    private final Clock clock;

    Notifier(Throttle throttle, Outbox outbox, AlertChannels channels, AlertDispatcher dispatcher,
             DeliverySettings settings, Clock clock) {
        this.throttle = throttle;
        this.outbox = outbox;
        this.channels = channels.all();
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.clock = clock;
    }

    /** The channels set up on this deployment, by name. */
    public List<String> channelNames() {
        return channels.stream().map(AlertChannel::name).toList();
    }

    public void notifyAbout(Alert alert, Raise raise) {
        List<AlertChannel> receiving = channels.stream().filter(c -> c.accepts(alert.severity())).toList();
        Instant now = clock.instant();
        if (receiving.isEmpty() || raise.at().isBefore(now.minus(settings.maxAge()))) {
            return;
        }
        Throttle.Decision decision = throttle.decide(alert.alertId(), raise.eventId(), raise.at(), settings.cooldown());
        if (!decision.notifies()) {
            return;
        }
        boolean queued = false;
        for (AlertChannel channel : receiving) {
            queued |= outbox.enqueue(new Notification(Notification.idOf(raise.eventId(), channel.name()),
                    channel.name(), alert.alertId(), alert.rule(), alert.severity(), alert.subject(), alert.keyId(),
                    alert.keyPrefix(), alert.detail(), alert.count(), decision.heldBack(), alert.firstSeen(),
                    alert.lastSeen(), now, Notification.Status.PENDING, 0, now, null, null, null, null,
                    Instant.EPOCH, null));
        }
        if (queued) {
            dispatcher.wake();
        }
    }
}
