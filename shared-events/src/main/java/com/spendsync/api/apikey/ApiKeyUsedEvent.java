package com.spendsync.api.apikey;

import java.time.Instant;

/** Uses of a key since its previous usage event: at most one such event per key per flush window. */
public record ApiKeyUsedEvent(
        String keyId, String flushId, long validUses, long rejectedUses, Instant lastUsedAt, Instant flushedAt) {
}
