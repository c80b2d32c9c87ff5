package com.spendsync.api.apikey;

import java.time.Instant;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Records the usage batches of a key's secrets (two during a rotation grace) taken in one flush. Batches already
 * recorded are left out, so a flush retried after a crash counts every use once.
 */
public record RecordKeyUsageCommand(
        @TargetAggregateIdentifier String keyId, List<UsageBatch> batches, Instant flushedAt) {
}
