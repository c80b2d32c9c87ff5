package com.spendsync.platform.verification;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import com.spendsync.platform.redis.RedisScripts;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Writes validation-view entries, each change guarded by the sequence number of the event it comes from, so an entry
 * only ever moves forward: a replay, a redelivered event or a refill from the MongoDB view cannot undo a revocation.
 */
@Component
public class ValidationViewWriter {

    private static final RedisScript<Long> WRITE_SCRIPT =
            RedisScripts.load(ValidationViewWriter.class, "/META-INF/spendsync/write-entry.lua", Long.class);

    private final StringRedisTemplate redis;

    public ValidationViewWriter(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** How long an entry lives after a write, as the write script takes it. */
    public record Lifetime(String scriptArgument) {

        /** Leave the entry's expiry as it is. */
        public static Lifetime keep() {
            return new Lifetime("keep");
        }

        /** Until the instant, or for ever when there is none. */
        public static Lifetime until(Instant instant) {
            return new Lifetime(instant == null ? "persist" : Long.toString(instant.toEpochMilli()));
        }
    }

    /** Sets {@code fields}, removes {@code removed}, and applies the lifetime, if the entry is older than this event. */
    public void write(KeyHash hash, long sequence, Map<String, String> fields, List<String> removed,
                      Lifetime lifetime) {
        List<String> arguments = new ArrayList<>();
        arguments.add(Long.toString(sequence));
        arguments.add(lifetime.scriptArgument());
        arguments.add(Integer.toString(removed.size()));
        arguments.addAll(removed);
        fields.forEach((field, value) -> {
            arguments.add(field);
            arguments.add(value);
        });
        redis.execute(WRITE_SCRIPT, List.of(ValidationViewKeys.entry(hash)), arguments.toArray());
    }

    public Map<String, String> read(KeyHash hash) {
        return redis.<String, String>opsForHash().entries(ValidationViewKeys.entry(hash));
    }
}
