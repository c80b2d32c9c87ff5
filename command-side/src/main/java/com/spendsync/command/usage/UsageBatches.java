package com.spendsync.command.usage;

import static com.spendsync.platform.verification.ValidationViewKeys.KEY_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_BATCH_EPOCH;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_BATCH_SEQ;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_LAST_USED;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_REJECTED;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_VALID;

import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import com.spendsync.platform.redis.RedisScripts;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The usage counters that verification keeps in Redis, taken per secret as batches numbered within an epoch. A taken batch stays
 * pending in Redis until it is released, so a crash between taking and recording it loses nothing.
 */
@Component
public class UsageBatches {

    private static final RedisScript<List> TAKE_SCRIPT =
            RedisScripts.load(UsageBatches.class, "/META-INF/spendsync/usage-take.lua", List.class);
    private static final RedisScript<Long> RELEASE_SCRIPT =
            RedisScripts.load(UsageBatches.class, "/META-INF/spendsync/usage-release.lua", Long.class);
    private static final RedisScript<Long> FLUSH_WINDOW_SCRIPT =
            RedisScripts.load(UsageBatches.class, "/META-INF/spendsync/usage-flush-window.lua", Long.class);
    private static final int SCAN_BATCH = 1000;

    private final StringRedisTemplate redis;

    UsageBatches(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** A batch and the key its secret belongs to. */
    public record TakenBatch(String keyId, UsageBatch usage) {
    }

    /**
     * Takes, or keeps, the flush window for {@code holder} for {@code hold}, unless another instance holds it: so
     * however many command-side instances run a flusher, one flushes, and a key gets one {@code ApiKeyUsed} event per
     * interval. The counts do not depend on it (batches are numbered); if the holder stops without letting go, another
     * takes over once its hold runs out.
     */
    public boolean takeFlushWindow(String holder, Duration hold) {
        return Long.valueOf(1).equals(redis.execute(FLUSH_WINDOW_SCRIPT, List.of(ValidationViewKeys.USAGE_FLUSH_WINDOW),
                holder, Long.toString(hold.toMillis())));
    }

    /** Lets go of the flush window, if {@code holder} holds it: at a stop, so another instance need not wait. */
    public void releaseFlushWindow(String holder) {
        redis.execute(FLUSH_WINDOW_SCRIPT, List.of(ValidationViewKeys.USAGE_FLUSH_WINDOW), holder, "release");
    }

    /** Secrets with counted uses or a pending batch. SCAN is fine here, far from the verify path. */
    public Set<KeyHash> secretsWithUsage() {
        Set<KeyHash> secrets = new LinkedHashSet<>();
        for (String pattern : List.of(ValidationViewKeys.USAGE_PATTERN, ValidationViewKeys.PENDING_USAGE_PATTERN)) {
            try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().match(pattern).count(SCAN_BATCH).build())) {
                keys.forEachRemaining(key -> secrets.add(ValidationViewKeys.hashOf(key)));
            }
        }
        return secrets;
    }

    /** The secret's pending batch if a flush left one, else its counters taken as a new batch; empty if neither. */
    public Optional<TakenBatch> take(KeyHash secret) {
        List<?> reply = redis.execute(TAKE_SCRIPT, List.of(ValidationViewKeys.usage(secret),
                ValidationViewKeys.pendingUsage(secret), ValidationViewKeys.usageBatchSeq(secret)),
                UUID.randomUUID().toString());
        if (reply == null || reply.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
        }
        String lastUsed = fields.get(USAGE_LAST_USED);
        return Optional.of(new TakenBatch(fields.get(KEY_ID), new UsageBatch(secret, fields.get(USAGE_BATCH_EPOCH),
                Long.parseLong(fields.get(USAGE_BATCH_SEQ)),
                Long.parseLong(fields.getOrDefault(USAGE_VALID, "0")),
                Long.parseLong(fields.getOrDefault(USAGE_REJECTED, "0")),
                lastUsed == null ? null : Instant.ofEpochMilli(Long.parseLong(lastUsed)))));
    }

    /** Drops a batch that is recorded (or whose key is gone), unless a newer batch has replaced it. */
    public void release(UsageBatch batch) {
        redis.execute(RELEASE_SCRIPT, List.of(ValidationViewKeys.pendingUsage(batch.keyHash())),
                Long.toString(batch.batchSeq()), batch.batchEpoch());
    }
}
