package com.spendsync.api.apikey;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Records the uses of a key counted in Redis since its last flush. {@code flushId} names the counted batch, so a
 * flush retried after a crash is recorded once.
 */
public record RecordKeyUsageCommand(
        @TargetAggregateIdentifier String keyId, String flushId, long validUses, long rejectedUses,
        Instant lastUsedAt, Instant flushedAt) {
}
