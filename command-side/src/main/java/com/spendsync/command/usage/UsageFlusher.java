package com.spendsync.command.usage;

import com.spendsync.api.apikey.RecordKeyUsageCommand;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.command.keys.KeyCommandSender;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Records the uses counted in Redis as {@code ApiKeyUsed} events, once per flush interval. The batches of all of a
 * key's secrets (two during a rotation grace) go in one command, so a key gets at most one event per run, whatever
 * its request rate. Every use counts exactly once: a batch stays pending until it is recorded, a run after a crash
 * sends it again under the same number, and the aggregate records each number once.
 */
@Component
public class UsageFlusher {

    static final String ACTOR = "system:usage";
    private static final Logger log = LoggerFactory.getLogger(UsageFlusher.class);

    private final UsageBatches batches;
    private final KeyCommandSender commands;
    private final Clock clock;

    UsageFlusher(UsageBatches batches, KeyCommandSender commands, Clock clock) {
        this.batches = batches;
        this.commands = commands;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${spendsync.usage.flush-interval}")
    public void flush() {
        Instant flushedAt = clock.instant();
        Map<String, List<UsageBatch>> batchesByKey = new LinkedHashMap<>();
        for (KeyHash secret : batches.secretsWithUsage()) {
            batches.take(secret).ifPresent(taken ->
                    batchesByKey.computeIfAbsent(taken.keyId(), keyId -> new ArrayList<>()).add(taken.usage()));
        }
        batchesByKey.forEach((keyId, usage) -> record(keyId, usage, flushedAt));
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
