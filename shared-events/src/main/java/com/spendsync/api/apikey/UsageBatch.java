package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/**
 * The uses of one secret counted in Redis between two flushes. {@code batchSeq} numbers the secret's batches from 1
 * up, so a batch sent again after a crash is known as recorded. {@code lastUsedAt} is null when no use was valid.
 */
public record UsageBatch(KeyHash keyHash, long batchSeq, long validUses, long rejectedUses, Instant lastUsedAt) {
}
