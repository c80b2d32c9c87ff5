package com.spendsync.platform.verification;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.core.StringRedisTemplate;
import com.spendsync.platform.redis.RedisScripts;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Checks a secret against the Redis validation view with one script call: one round trip, decided atomically.
 *
 * <p>Where a {@link VerificationFallback} exists (the processes that keep the MongoDB key view), a secret Redis does
 * not know is looked up there, written back to Redis and checked again; and while Redis cannot be reached, the
 * decision is made from the MongoDB view alone (rate limits kept in this process, see {@link DegradedRateLimits};
 * no usage count), Redis being tried again after a short pause. A revoked or expired key is refused either way. A
 * secret MongoDB did not know either is remembered as unknown for a moment ({@link UnknownKeys}), so a flood of
 * unknown keys costs no MongoDB lookup each.
 */
@Component
public class KeyVerifier {

    private static final RedisScript<List> VERIFY_SCRIPT =
            RedisScripts.load(KeyVerifier.class, "/META-INF/spendsync/verify.lua", List.class);

    private static final Duration REDIS_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(KeyVerifier.class);

    private final StringRedisTemplate redis;
    private final Clock clock;
    private final VerificationFallback fallback;
    private final ValidationViewWriter writer;
    private final DegradedRateLimits degradedRateLimits;
    private final UnknownKeys unknownKeys;
    private final Duration retention;
    private volatile Instant redisRetryAt = Instant.MIN;
    private volatile Instant lastFallbackAt;

    public KeyVerifier(StringRedisTemplate redis, Clock clock, ObjectProvider<VerificationFallback> fallback,
                       ValidationViewWriter writer, UnknownKeys unknownKeys,
                       @Value("${spendsync.key-retention}") Duration keyRetention) {
        this.redis = redis;
        this.clock = clock;
        this.fallback = fallback.getIfAvailable();
        this.writer = writer;
        this.degradedRateLimits = new DegradedRateLimits(clock);
        this.unknownKeys = unknownKeys;
        this.retention = keyRetention;
    }

    /** Whether verification is answering from the MongoDB view because Redis could not be reached. */
    public boolean degraded() {
        return clock.instant().isBefore(redisRetryAt);
    }

    public Instant lastFallbackAt() {
        return lastFallbackAt;
    }

    /**
     * Verifies a use of the key for a caller whose scope is {@code callerScope} (null: every owner): applies its rate
     * limit and counts the use. A key outside the scope is {@code NOT_FOUND}, decided in the same round trip.
     */
    public Verification verifyUse(KeyHash hash, List<String> requiredPermissions, int cost, KeyScope callerScope) {
        return run(hash, requiredPermissions, cost, true, callerScope);
    }

    /** Looks at the key without counting a use or spending its rate limit: for checking a management credential. */
    public Verification inspect(KeyHash hash) {
        return run(hash, List.of(), 0, false, null);
    }

    private Verification run(KeyHash hash, List<String> requiredPermissions, int cost, boolean counting,
                             KeyScope callerScope) {
        if (fallback == null) {
            return runScript(hash, requiredPermissions, cost, counting, callerScope);
        }
        if (degraded()) {
            return decideWithoutRedis(hash, requiredPermissions, cost, counting, callerScope);
        }
        try {
            Verification verification = runScript(hash, requiredPermissions, cost, counting, callerScope);
            if (verification.code() != VerificationCode.NOT_FOUND) {
                return verification;
            }
            Optional<SecretEntry> entry = lookUp(hash);
            if (entry.isEmpty()) {
                return verification;
            }
            writer.write(hash, entry.get().sequence(), entry.get().fields(), List.of(),
                    entry.get().lifetime(retention));
            return runScript(hash, requiredPermissions, cost, counting, callerScope);
        } catch (RedisConnectionFailureException | RedisSystemException | QueryTimeoutException unreachable) {
            log.warn("Redis unreachable ({}); verifying from the MongoDB key view for {}", unreachable.getClass()
                    .getSimpleName(), REDIS_RETRY_PAUSE);
            redisRetryAt = clock.instant().plus(REDIS_RETRY_PAUSE);
            return decideWithoutRedis(hash, requiredPermissions, cost, counting, callerScope);
        }
    }

    private Verification decideWithoutRedis(KeyHash hash, List<String> requiredPermissions, int cost,
                                            boolean counting, KeyScope callerScope) {
        lastFallbackAt = clock.instant();
        return lookUp(hash).map(entry -> {
            Verification decided = entry.decide(requiredPermissions, callerScope, clock.instant());
            return counting && decided.valid() && entry.rateLimit() != null
                    ? degradedRateLimits.spend(decided, entry.rateLimit(), cost) : decided;
        }).orElse(Verification.of(VerificationCode.NOT_FOUND));
    }

    /** The secret in the MongoDB key view, unless it was looked up there and not found a moment ago. */
    private Optional<SecretEntry> lookUp(KeyHash hash) {
        if (unknownKeys.known(hash)) {
            return Optional.empty();
        }
        Optional<SecretEntry> entry = fallback.lookup(hash);
        if (entry.isEmpty()) {
            unknownKeys.remember(hash);
        }
        return entry;
    }

    private Verification runScript(KeyHash hash, List<String> requiredPermissions, int cost, boolean counting,
                                   KeyScope callerScope) {
        List<String> scopeOwners = callerScope == null ? List.of() : callerScope.owners();
        List<String> arguments = new ArrayList<>(4 + scopeOwners.size() + requiredPermissions.size());
        arguments.add(Long.toString(clock.millis()));
        arguments.add(Integer.toString(cost));
        arguments.add(counting ? "1" : "0");
        arguments.add(Integer.toString(callerScope == null ? -1 : scopeOwners.size()));
        arguments.addAll(scopeOwners);
        arguments.addAll(requiredPermissions);
        List<?> reply = redis.execute(VERIFY_SCRIPT,
                List.of(ValidationViewKeys.entry(hash), ValidationViewKeys.rateLimit(hash),
                        ValidationViewKeys.usage(hash)),
                arguments.toArray());
        return toVerification(reply);
    }

    /** The script replies with name/value pairs; an answer without a key has only {@code code}. */
    private static Verification toVerification(List<?> reply) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
        }
        VerificationCode code = VerificationCode.valueOf(fields.get("code"));
        if (!fields.containsKey("id")) {
            return Verification.of(code);
        }
        String limit = fields.get("limit");
        Verification.RateLimitState rateLimit = limit.isEmpty() ? null
                : new Verification.RateLimitState(
                        Integer.parseInt(limit),
                        Integer.parseInt(fields.get("window")),
                        Integer.parseInt(fields.get("remaining")),
                        secondsUp(Long.parseLong(fields.get("reset"))),
                        fields.get("retry").isEmpty() ? null : secondsUp(Long.parseLong(fields.get("retry"))));
        return new Verification(code, fields.get("id"), fields.get("owner"), words(fields.get("perms")),
                ValidationViewKeys.scopeOf(fields.get("scope")), instant(fields.get("exp")),
                instant(fields.get("grace")), rateLimit);
    }

    private static List<String> words(String text) {
        return text.isEmpty() ? List.of() : Arrays.asList(text.split(" "));
    }

    private static Instant instant(String epochMillis) {
        return epochMillis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }

    private static long secondsUp(long millis) {
        return (millis + 999) / 1000;
    }
}
