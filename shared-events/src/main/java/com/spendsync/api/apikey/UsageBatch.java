package com.spendsync.api.apikey;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;

/**
 * The uses of one secret counted in Redis between two flushes. {@code batchSeq} numbers the secret's batches from 1
 * up within {@code batchEpoch}, so a batch sent again after a crash is known as recorded. The epoch is named when
 * Redis creates the secret's batch counter: a counter that Redis lost starts over in a new epoch, whose numbers the
 * aggregate has not seen. Batches recorded before epochs existed have none and read as {@link #FIRST_EPOCH}.
 * {@code lastUsedAt} is null when no use was valid.
 */
public record UsageBatch(KeyHash keyHash, String batchEpoch, long batchSeq, long validUses, long rejectedUses,
                         Instant lastUsedAt) {

    public static final String FIRST_EPOCH = "";

    public UsageBatch {
        batchEpoch = batchEpoch == null ? FIRST_EPOCH : batchEpoch;
    }
}
