package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.api.alert.AlertDeliveredEvent;
import com.spendsync.api.alert.AlertDeliveryFailedEvent;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.logging.LogSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Sends what the outbox holds: sender threads per channel (email several, since each message waits on an SMTP
 * exchange; Slack one, since Slack limits posts per webhook), so a slow or rate-limited Slack never delays email. A
 * sender claims one due notification at a time under a lease in its own name, makes one attempt and records the
 * outcome in the outbox and the audit trail; on stopping it finishes the attempt it is making and takes no other.
 * Failed attempts back off exponentially (with jitter) up to {@code max-backoff}; a Retry-After pauses the whole
 * channel on this instance, since Slack limits per webhook. A sender wakes at once when this instance queues
 * something, and every poll interval otherwise, for what other instances queued or crashed on.
 */
class AlertDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
    /**
     * How long stopping waits for the attempts under way (docs/architecture.md, "Stopping"). One that takes longer is
     * left to its lease: the message is sent again once the lease runs out, as after a crash.
     */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final List<AlertChannel> channels;
    private final Outbox outbox;
    private final DeliverySettings settings;
    private final EventGateway events;
    private final Clock clock;
    private final String node;
    private final MeterRegistry meters;
    private final Duration retention;
    /** Replaced whole, never changed in place: processor threads read it to wake the senders. */
    private volatile List<Sender> senders = List.of();

    AlertDispatcher(List<AlertChannel> channels, Outbox outbox, DeliverySettings settings, EventGateway events,
                    Clock clock, String node, MeterRegistry meters, Duration retention) {
        this.channels = channels;
        this.outbox = outbox;
        this.settings = settings;
        this.events = events;
        this.clock = clock;
        this.node = node;
        this.meters = meters;
        this.retention = retention;
        channels.forEach(channel -> Gauge.builder("spendsync.alerts.outbox.pending", outbox,
                        box -> box.pendingCount(channel.name()))
                .description("Alert messages queued and not yet delivered or given up on")
                .tag("channel", channel.name()).register(meters));
    }

    /** Something was queued: send it now rather than at the next poll. */
    void wake() {
        senders.forEach(Sender::wake);
    }

    @Override
    public synchronized void start() {
        if (!settings.enabled() || !senders.isEmpty()) {
            return;
        }
        List<Sender> started = new ArrayList<>();
        channels.forEach(channel -> {
            for (int i = 1; i <= channel.senders(); i++) {
                started.add(new Sender(channel, i));
            }
        });
        senders = List.copyOf(started);
        senders.forEach(sender -> sender.thread.start());
    }

    @Override
    public synchronized void stop() {
        List<Sender> stopping = senders;
        senders = List.of();
        stopping.forEach(Sender::stop);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        stopping.forEach(sender -> sender.join(deadline));
    }

    @Override
    public boolean isRunning() {
        return !senders.isEmpty();
    }

    /** Stops before the event store and MongoDB that recording an outcome needs. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    /**
     * Sends the channel's due notifications until none is left or {@code keepGoing} says stop; returns how long the
     * channel must rest first, if at all.
     */
    Duration sendDue(AlertChannel channel, BooleanSupplier keepGoing) {
        while (keepGoing.getAsBoolean()) {
            Instant now = clock.instant();
            String claim = node + "/" + UUID.randomUUID();
            Notification claimed = outbox.claimNext(channel.name(), claim, now, now.plus(settings.lease()));
            if (claimed == null) {
                return Duration.ZERO;
            }
            AlertChannel.Result result = attempt(channel, claimed);
            if (result instanceof AlertChannel.Retry retry && retry.after() != null) {
                return retry.after();
            }
        }
        return Duration.ZERO;
    }

    private AlertChannel.Result attempt(AlertChannel channel, Notification claimed) {
        AlertChannel.Result result;
        try {
            result = channel.send(claimed);
        } catch (RuntimeException unexpected) {
            result = new AlertChannel.Retry(Failures.describe(unexpected), null);
        }
        Instant now = clock.instant();
        int attempts = claimed.attempts() + 1;
        Notification outcome;
        if (result instanceof AlertChannel.Delivered) {
            outcome = claimed.attempted(Notification.Status.DELIVERED, attempts, claimed.nextAttemptAt(), now, now,
                    null, now.plus(retention));
        } else if (result instanceof AlertChannel.Retry retry && (retry.after() != null
                || attempts < settings.maxAttempts())) {
            // a receiver asking to wait is not failing: its waits do not use up the attempts
            outcome = claimed.attempted(Notification.Status.PENDING, attempts,
                    now.plus(retry.after() != null ? retry.after() : backoff(attempts)), now, null, retry.error(),
                    null);
        } else {
            String error = result instanceof AlertChannel.Retry retry ? retry.error()
                    : ((AlertChannel.Rejected) result).error();
            outcome = claimed.attempted(Notification.Status.FAILED, attempts, claimed.nextAttemptAt(), now, null,
                    error, now.plus(retention));
        }
        if (!outbox.record(outcome)) {
            log.warn("Lost the claim on alert notification {} while sending it; another sender took it over",
                    claimed.notificationId());
        }
        // the attempt happened whether or not this sender still held the claim: the trail records it either way
        recordInAuditTrail(outcome, now);
        Counter.builder("spendsync.alerts.delivery.attempts").description("Attempts to send an alert message")
                .tag("channel", outcome.channel())
                .tag("outcome", outcome.status() == Notification.Status.PENDING ? "retrying"
                        : outcome.status().name().toLowerCase(Locale.ROOT))
                .register(meters).increment();
        return result;
    }

    private void recordInAuditTrail(Notification outcome, Instant now) {
        boolean delivered = outcome.status() == Notification.Status.DELIVERED;
        Instant retryAt = outcome.status() == Notification.Status.PENDING ? outcome.nextAttemptAt() : null;
        Object event = delivered
                ? new AlertDeliveredEvent(outcome.alertId(), outcome.notificationId(), outcome.channel(),
                outcome.attempts(), now)
                : new AlertDeliveryFailedEvent(outcome.alertId(), outcome.notificationId(), outcome.channel(),
                outcome.attempts(), outcome.lastError(), retryAt, now);
        if (!delivered) {
            log.warn("Alert {} not delivered by {} (attempt {}): {}{}", LogSafe.escape(outcome.alertId()),
                    outcome.channel(), outcome.attempts(), LogSafe.escape(outcome.lastError()),
                    retryAt != null ? "; trying again at " + retryAt : "; giving up");
        }
        try {
            events.publish(GenericEventMessage.asEventMessage(event)
                    .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, AlertRaiser.ACTOR)));
        } catch (RuntimeException e) {
            log.warn("Could not record the delivery outcome of {} in the audit trail: {}", outcome.notificationId(),
                    LogSafe.escape(e.toString()));
        }
    }

    /** initial-backoff x 2^(attempts-1), capped at max-backoff, minus up to a fifth so that senders spread out. */
    Duration backoff(int attempts) {
        Duration cap = settings.maxBackoff();
        Duration wait = settings.initialBackoff();
        for (int i = 1; i < attempts && wait.compareTo(cap) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        if (wait.compareTo(cap) > 0) {
            wait = cap;
        }
        long jitter = ThreadLocalRandom.current().nextLong(wait.toMillis() / 5 + 1);
        return wait.minusMillis(jitter);
    }

    /** The sending loop of one channel. */
    private final class Sender implements Runnable {
        private final AlertChannel channel;
        private final Thread thread;
        private final Object signal = new Object();
        private boolean woken;
        private volatile boolean running = true;

        Sender(AlertChannel channel, int number) {
            this.channel = channel;
            this.thread = new Thread(this, "alert-sender-" + channel.name() + "-" + number);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                Duration rest = Duration.ZERO;
                try {
                    rest = sendDue(channel, () -> running);
                } catch (RuntimeException e) {
                    log.warn("Alert sender for {} failed; trying again at the next poll: {}", channel.name(),
                            e.toString());
                }
                sleep(rest.isZero() ? settings.pollInterval() : rest, rest.isZero());
            }
        }

        /** Waits; a wake-up cuts the wait short unless the channel asked for rest. */
        private void sleep(Duration duration, boolean wakeable) {
            long deadline = System.nanoTime() + duration.toNanos();
            synchronized (signal) {
                while (running && (!wakeable || !woken)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(signal, left);
                    } catch (InterruptedException e) {
                        // interrupted means stop: looping on would spin, every wait ending at once
                        Thread.currentThread().interrupt();
                        running = false;
                        return;
                    }
                }
                woken = false;
            }
        }

        void wake() {
            synchronized (signal) {
                woken = true;
                signal.notifyAll();
            }
        }

        void stop() {
            running = false;
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        void join(long deadline) {
            try {
                // at least 1 ms: join(0) would wait for good
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
