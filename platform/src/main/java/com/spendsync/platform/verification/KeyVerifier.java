package com.spendsync.platform.verification;

import com.spendsync.api.keyformat.KeyHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Checks a secret against the Redis validation view with one script call: one round trip, decided atomically.
 *
 * <p>Where a {@link VerificationFallback} exists (the processes that keep the MongoDB key view), a secret Redis does
 * not know is looked up there, written back to Redis and checked again; and while Redis cannot be reached, the
 * decision is made from the MongoDB view alone (no rate limit, no usage count), Redis being tried again after a
 * short pause. A revoked or expired key is refused either way.
 */
@Component
public class KeyVerifier {

    private static final RedisScript<List> VERIFY_SCRIPT =
            RedisScript.of(new ClassPathResource("META-INF/spendsync/verify.lua"), List.class);

    private static final Duration REDIS_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(KeyVerifier.class);

    private final StringRedisTemplate redis;
    private final Clock clock;
    private final VerificationFallback fallback;
    private final ValidationViewWriter writer;
    private volatile Instant redisRetryAt = Instant.MIN;
    private volatile Instant lastFallbackAt;

    public KeyVerifier(StringRedisTemplate redis, Clock clock, ObjectProvider<VerificationFallback> fallback,
                       ValidationViewWriter writer) {
        this.redis = redis;
        this.clock = clock;
        this.fallback = fallback.getIfAvailable();
        this.writer = writer;
    }

    /** Whether verification is answering from the MongoDB view because Redis could not be reached. */
    public boolean degraded() {
        return clock.instant().isBefore(redisRetryAt);
    }

    public Instant lastFallbackAt() {
        return lastFallbackAt;
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
        if (fallback == null) {
            return runScript(hash, requiredPermissions, cost, counting);
        }
        if (degraded()) {
            return decideWithoutRedis(hash, requiredPermissions);
        }
        try {
            Verification verification = runScript(hash, requiredPermissions, cost, counting);
            if (verification.code() != VerificationCode.NOT_FOUND) {
                return verification;
            }
            Optional<SecretEntry> entry = fallback.lookup(hash);
            if (entry.isEmpty()) {
                return verification;
            }
            writer.write(hash, entry.get().sequence(), entry.get().fields(), List.of(),
                    ValidationViewWriter.Lifetime.keep());
            return runScript(hash, requiredPermissions, cost, counting);
        } catch (RedisConnectionFailureException | RedisSystemException | QueryTimeoutException unreachable) {
            log.warn("Redis unreachable ({}); verifying from the MongoDB key view for {}", unreachable.getClass()
                    .getSimpleName(), REDIS_RETRY_PAUSE);
            redisRetryAt = clock.instant().plus(REDIS_RETRY_PAUSE);
            return decideWithoutRedis(hash, requiredPermissions);
        }
    }

    private Verification decideWithoutRedis(KeyHash hash, List<String> requiredPermissions) {
        lastFallbackAt = clock.instant();
        return fallback.lookup(hash).map(entry -> entry.decide(requiredPermissions, clock.instant()))
                .orElse(Verification.of(VerificationCode.NOT_FOUND));
    }

    private Verification runScript(KeyHash hash, List<String> requiredPermissions, int cost, boolean counting) {
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
