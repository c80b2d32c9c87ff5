package com.spendsync.command.usage;

import com.spendsync.api.apikey.RecordKeyUsageCommand;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.command.keys.KeyCommandSender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Records the uses counted in Redis as {@code ApiKeyUsed} events, once per flush interval. The batches of all of a
 * key's secrets (two during a rotation grace) go in one command, so a key gets at most one event per run, whatever
 * its request rate. Every use counts exactly once: a batch stays pending until it is recorded, a run after a crash
 * sends it again under the same number, and the aggregate records each number once. Of several command-side
 * instances, one flushes per interval ({@link UsageBatches#takeFlushWindow}).
 */
@Component
public class UsageFlusher {

    static final String ACTOR = "system:usage";
    private static final Logger log = LoggerFactory.getLogger(UsageFlusher.class);

    private final UsageBatches batches;
    private final KeyCommandSender commands;
    private final Clock clock;
    private final Duration interval;
    private final String holder = "flusher-" + UUID.randomUUID();
    private volatile boolean stopping;

    UsageFlusher(UsageBatches batches, KeyCommandSender commands, Clock clock,
                 @Value("${spendsync.usage.flush-interval}") Duration interval) {
        this.batches = batches;
        this.commands = commands;
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * Flushes, unless another instance holds the flush window; whether this run flushed. The window is held for two
     * intervals (a run starts an interval after the last one ended), and let go at a stop.
     */
    @Scheduled(fixedDelayString = "${spendsync.usage.flush-interval}")
    public synchronized boolean flush() {
        if (stopping || !batches.takeFlushWindow(holder, interval.multipliedBy(2))) {
            return false;
        }
        Instant flushedAt = clock.instant();
        Map<String, List<UsageBatch>> batchesByKey = new LinkedHashMap<>();
        for (KeyHash secret : batches.secretsWithUsage()) {
            batches.take(secret).ifPresent(taken ->
                    batchesByKey.computeIfAbsent(taken.keyId(), keyId -> new ArrayList<>()).add(taken.usage()));
        }
        batchesByKey.forEach((keyId, usage) -> record(keyId, usage, flushedAt));
        // held two intervals from the end of this run, however long it took
        batches.takeFlushWindow(holder, interval.multipliedBy(2));
        return true;
    }

    /**
     * At the start of a stop, before the scheduler and the Redis client stop, once a run under way has ended: lets go
     * of the window, so another instance (or this one's next start) need not wait for it to run out; no run takes it
     * again afterwards.
     */
    @EventListener(ContextClosedEvent.class)
    synchronized void letGo() {
        stopping = true;
        try {
            batches.releaseFlushWindow(holder);
        } catch (RuntimeException e) {
            log.warn("Could not let go of the usage flush window; another instance takes it when it runs out: {}",
                    e.toString());
        }
    }

    private void record(String keyId, List<UsageBatch> usage, Instant flushedAt) {
        try {
            commands.sendAsSystem(new RecordKeyUsageCommand(keyId, usage, flushedAt), ACTOR);
            usage.forEach(batches::release);
        } catch (AggregateNotFoundException gone) {
            log.warn("Dropping the usage counted for key {}, which does not exist", keyId);
            usage.forEach(batches::release);
        } catch (ConcurrencyException raced) {
            log.debug("Key {} changed while its usage was recorded; the next flush sends it again", keyId);
        } catch (RuntimeException e) {
            log.warn("Could not record the usage of key {}; the next flush sends it again: {}", keyId, e.toString());
        }
    }
}
