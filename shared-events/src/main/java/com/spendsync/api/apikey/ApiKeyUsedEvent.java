package com.spendsync.api.apikey;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Uses of a key since its previous usage event, one batch per secret that was used: at most one such event per key
 * per flush window. The totals are derived from the batches, so the stored event has one source of truth.
 */
public record ApiKeyUsedEvent(String keyId, List<UsageBatch> batches, Instant flushedAt)
        implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.used(this);
    }

    public long validUses() {
        return batches.stream().mapToLong(UsageBatch::validUses).sum();
    }

    public long rejectedUses() {
        return batches.stream().mapToLong(UsageBatch::rejectedUses).sum();
    }

    /** The latest valid use of any of the key's secrets, or null when none was valid. */
    public Instant lastUsedAt() {
        return batches.stream().map(UsageBatch::lastUsedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
    }
}
