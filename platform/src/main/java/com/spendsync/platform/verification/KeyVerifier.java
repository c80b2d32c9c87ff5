package com.spendsync.platform.verification;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/** Checks a secret against the Redis validation view with one script call: one round trip, decided atomically. */
@Component
public class KeyVerifier {

    private static final RedisScript<List> VERIFY_SCRIPT =
            RedisScript.of(new ClassPathResource("META-INF/spendsync/verify.lua"), List.class);

    private final StringRedisTemplate redis;
    private final Clock clock;

    public KeyVerifier(StringRedisTemplate redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Verifies a use of the key: applies its rate limit and counts the use. */
    public Verification verifyUse(KeyHash hash, List<String> requiredPermissions, int cost) {
        return run(hash, requiredPermissions, cost, true);
    }

    /** Looks at the key without counting a use or spending its rate limit: for checking a management credential. */
    public Verification inspect(KeyHash hash) {
        return run(hash, List.of(), 0, false);
    }

    private Verification run(KeyHash hash, List<String> requiredPermissions, int cost, boolean counting) {
        List<String> arguments = new ArrayList<>(3 + requiredPermissions.size());
        arguments.add(Long.toString(clock.millis()));
        arguments.add(Integer.toString(cost));
        arguments.add(counting ? "1" : "0");
        arguments.addAll(requiredPermissions);
        List<?> reply = redis.execute(VERIFY_SCRIPT,
                List.of(ValidationViewKeys.entry(hash), ValidationViewKeys.rateLimit(hash),
                        ValidationViewKeys.usage(hash)),
                arguments.toArray());
        return toVerification(reply);
    }

    private static Verification toVerification(List<?> reply) {
        VerificationCode code = VerificationCode.valueOf(String.valueOf(reply.get(0)));
        if (reply.size() == 1) {
            return Verification.of(code);
        }
        String permissions = text(reply, 3);
        Verification.RateLimitState rateLimit = text(reply, 6).isEmpty() ? null
                : new Verification.RateLimitState(
                        Integer.parseInt(text(reply, 6)),
                        Integer.parseInt(text(reply, 10)),
                        Integer.parseInt(text(reply, 7)),
                        secondsUp(Long.parseLong(text(reply, 8))),
                        text(reply, 9).isEmpty() ? null : secondsUp(Long.parseLong(text(reply, 9))));
        return new Verification(code, text(reply, 1), text(reply, 2),
                permissions.isEmpty() ? List.of() : Arrays.asList(permissions.split(" ")),
                instant(text(reply, 4)), instant(text(reply, 5)), rateLimit);
    }

    private static String text(List<?> reply, int index) {
        return String.valueOf(reply.get(index));
    }

    private static Instant instant(String epochMillis) {
        return epochMillis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }

    private static long secondsUp(long millis) {
        return (millis + 999) / 1000;
    }
}
