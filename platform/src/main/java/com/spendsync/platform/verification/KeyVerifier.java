package com.spendsync.platform.verification;

import com.spendsync.api.apikey.AllowedSources;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import com.spendsync.platform.concurrent.Stages;
import com.spendsync.platform.redis.RedisOutage;
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
    private final ReactiveStringRedisTemplate reactiveRedis;
    private final Clock clock;
    private final VerificationFallback fallback;
    private final ValidationViewWriter writer;
    private final DegradedRateLimits degradedRateLimits;
    private final UnknownKeys unknownKeys;
    private final Duration retention;
    private volatile Instant redisRetryAt = Instant.MIN;
    private volatile Instant lastFallbackAt;

    public KeyVerifier(StringRedisTemplate redis, ReactiveStringRedisTemplate reactiveRedis, Clock clock,
                       ObjectProvider<VerificationFallback> fallback, ValidationViewWriter writer,
                       UnknownKeys unknownKeys, @Value("${spendsync.key-retention}") Duration keyRetention) {
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
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
     * limits, each charged its cost in {@code costs} (1 for a limit not named there), all or none, and counts the
     * use. A key outside the scope is {@code NOT_FOUND}, a use from a {@code source} outside
     * the key's allowed networks {@code FORBIDDEN_SOURCE}, both decided in the same round trip.
     */
    public Verification verifyUse(KeyHash hash, List<String> requiredPermissions, Map<String, Integer> costs,
                                  KeyScope callerScope, String source) {
        return Stages.join(run(hash, requiredPermissions, costs, true, callerScope, checked(source), this::scriptNow,
                Runnable::run));
    }

    /**
     * {@link #verifyUse} without blocking the calling thread: the script goes out on Lettuce's reactive API, and the
     * rarer steps that read MongoDB or write Redis synchronously (a secret Redis does not know, Redis unreachable)
     * run on {@code blocking}.
     */
    public CompletionStage<Verification> verifyUseWithoutBlocking(KeyHash hash, List<String> requiredPermissions,
                                                                  Map<String, Integer> costs,
                                                                  KeyScope callerScope, String source,
                                                                  Executor blocking) {
        return run(hash, requiredPermissions, costs, true, callerScope, checked(source), this::scriptWithoutBlocking,
                blocking);
    }

    /** Looks at the key without counting a use or spending its rate limits: for checking a management credential. */
    public Verification inspect(KeyHash hash) {
        return Stages.join(run(hash, List.of(), Map.of(), false, null, null, this::scriptNow, Runnable::run));
    }

    /** A use's source is always checked: none is "", which no allowlist admits (null is for a look, not a use). */
    private static String checked(String source) {
        return source == null ? "" : source;
    }

    /** How the verify script reaches Redis: its reply, or the failure to get one. */
    private interface Script {
        CompletionStage<List<?>> run(List<String> keys, Object[] arguments);
    }

    private CompletionStage<Verification> run(KeyHash hash, List<String> requiredPermissions, Map<String, Integer> costs,
                                              boolean counting, KeyScope callerScope, String source, Script script,
                                              Executor blocking) {
        if (fallback == null) {
            return runScript(script, hash, requiredPermissions, costs, counting, callerScope, source);
        }
        if (degraded()) {
            return CompletableFuture.supplyAsync(
                    () -> decideWithoutRedis(hash, requiredPermissions, costs, counting, callerScope, source), blocking);
        }
        return runScript(script, hash, requiredPermissions, costs, counting, callerScope, source).thenCompose(verification -> {
            if (verification.code() != VerificationCode.NOT_FOUND) {
                unknownKeys.found(hash);
                return CompletableFuture.completedFuture(verification);
            }
            return CompletableFuture.supplyAsync(() -> lookUp(hash).map(entry -> {
                writer.write(hash, entry.sequence(), entry.fields(), List.of(), entry.lifetime(retention));
                return true;
            }).orElse(false), blocking).thenCompose(written -> written
                    ? runScript(script, hash, requiredPermissions, costs, counting, callerScope, source)
                    : CompletableFuture.completedFuture(verification));
        }).exceptionallyCompose(failure -> {
            Throwable cause = Stages.cause(failure);
            if (!RedisOutage.in(cause)) {
                return CompletableFuture.failedFuture(cause);
            }
            log.warn("Redis unreachable ({}); verifying from the MongoDB key view for {}", cause.getClass()
                    .getSimpleName(), REDIS_RETRY_PAUSE);
            redisRetryAt = clock.instant().plus(REDIS_RETRY_PAUSE);
            return CompletableFuture.supplyAsync(
                    () -> decideWithoutRedis(hash, requiredPermissions, costs, counting, callerScope, source), blocking);
        });
    }

    private Verification decideWithoutRedis(KeyHash hash, List<String> requiredPermissions, Map<String, Integer> costs,
                                            boolean counting, KeyScope callerScope, String source) {
        lastFallbackAt = clock.instant();
        return lookUp(hash).map(entry -> {
            Verification decided = entry.decide(requiredPermissions, callerScope, source, clock.instant());
            return counting && decided.valid() && !entry.rateLimits().isEmpty()
                    ? degradedRateLimits.spend(decided, entry.rateLimits(), costs) : decided;
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

    private CompletionStage<Verification> runScript(Script script, KeyHash hash, List<String> requiredPermissions,
                                                    Map<String, Integer> costs, boolean counting,
                                                    KeyScope callerScope, String source) {
        List<String> scopeOwners = callerScope == null ? List.of() : callerScope.owners();
        Object[] arguments = new Object[5 + scopeOwners.size() + requiredPermissions.size()];
        arguments[0] = Long.toString(clock.millis());
        StringBuilder named = new StringBuilder();
        costs.forEach((name, cost) -> named.append(named.isEmpty() ? "" : " ").append(name).append(' ').append(cost));
        arguments[1] = named.toString();
        arguments[2] = counting ? "1" : "0";
        arguments[3] = AllowedSources.scriptArgument(source);
        arguments[4] = Integer.toString(callerScope == null ? -1 : scopeOwners.size());
        int next = 5;
        for (String owner : scopeOwners) {
            arguments[next++] = owner;
        }
        for (String permission : requiredPermissions) {
            arguments[next++] = permission;
        }
        return script.run(List.of(ValidationViewKeys.entry(hash), ValidationViewKeys.rateLimit(hash),
                ValidationViewKeys.usage(hash)), arguments).thenApply(KeyVerifier::toVerification);
    }

    private CompletionStage<List<?>> scriptNow(List<String> keys, Object[] arguments) {
        try {
            return CompletableFuture.completedFuture(redis.execute(VERIFY_SCRIPT, keys, arguments));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Spring's reactive script executor: EVALSHA, and EVAL once if Redis does not hold the script yet. */
    private CompletionStage<List<?>> scriptWithoutBlocking(List<String> keys, Object[] arguments) {
        return reactiveRedis.execute(VERIFY_SCRIPT, keys, List.of(arguments)).collectList()
                .<List<?>>map(KeyVerifier::reply).toFuture();
    }

    /** The reactive executor emits a multi-bulk reply's elements one by one, or the list as one element. */
    private static List<?> reply(List<?> emitted) {
        return emitted.size() == 1 && emitted.get(0) instanceof List<?> whole ? whole : emitted;
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
        return new Verification(code, fields.get("id"), fields.get("owner"), words(fields.get("perms")),
                ValidationViewKeys.scopeOf(fields.get("scope")), instant(fields.get("exp")),
                instant(fields.get("grace")), limitStates(fields.get("limits")));
    }

    /** Each limit as {@code name/k-or-o/limit/window/remaining/resetMs/retryMs-or-dash/refused}, space-separated. */
    private static List<Verification.RateLimitState> limitStates(String text) {
        List<Verification.RateLimitState> states = new ArrayList<>();
        for (String state : words(text)) {
            String[] parts = state.split("/");
            states.add(new Verification.RateLimitState(parts[0], parts[1].equals("o"), Integer.parseInt(parts[2]),
                    Integer.parseInt(parts[3]), Integer.parseInt(parts[4]), secondsUp(Long.parseLong(parts[5])),
                    parts[7].equals("1"), parts[6].equals("-") ? null : secondsUp(Long.parseLong(parts[6]))));
        }
        return states;
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
