package com.spendsync.platform.verification;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.embedded.EmbeddedRedis;
import com.spendsync.platform.verification.Verification.RateLimitState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The rate limit of verify.lua, run on a real redis-server, against a GCRA written plainly in Java: for any limit
 * (1 to 1,000,000) per any window (1 to 86,400 s), any costs and any arrival times, the script decides and reports
 * exactly what the reference does, {@code remaining} never exceeds the limit, and no span of time admits more than
 * the limit at once plus the limit's rate over the span.
 */
class RateLimitProperties {

    private static final Instant START = Instant.parse("2025-06-01T12:00:00.123Z");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger KEYS = new AtomicInteger();

    private static EmbeddedRedis redisServer;
    private static LettuceConnectionFactory connectionFactory;
    private static StringRedisTemplate redis;

    @BeforeContainer
    static void startRedis() throws Exception {
        redisServer = EmbeddedRedis.start(Files.createTempDirectory("rate-limit-properties"), 0);
        URI uri = URI.create(redisServer.uri());
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        redis = new StringRedisTemplate(connectionFactory);
    }

    @AfterContainer
    static void stopRedis() {
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @Property(tries = 300)
    void the_script_is_the_exact_gcra(@ForAll("scenarios") Scenario scenario) {
        MutableClock clock = new MutableClock(START);
        KeyVerifier verifier = new KeyVerifier(redis, new ReactiveStringRedisTemplate(connectionFactory), clock,
                new StaticListableBeanFactory().getBeanProvider(VerificationFallback.class),
                new ValidationViewWriter(redis), new UnknownKeys(new SimpleMeterRegistry()), Duration.ofDays(30));
        KeyHash hash = ApiKeySecret.generate(KeyEnvironment.LIVE, RANDOM).hash();
        redis.opsForHash().putAll(ValidationViewKeys.entry(hash), Map.of(
                ValidationViewKeys.KEY_ID, "key_" + KEYS.incrementAndGet(),
                ValidationViewKeys.OWNER_ID, "owner",
                ValidationViewKeys.STATUS, ValidationViewKeys.STATUS_ACTIVE,
                ValidationViewKeys.PERMISSIONS, "",
                ValidationViewKeys.RATE_LIMIT, Integer.toString(scenario.limit()),
                ValidationViewKeys.RATE_WINDOW_SECONDS, Integer.toString(scenario.windowSeconds())));
        ReferenceGcra reference = new ReferenceGcra(scenario.limit(), scenario.windowSeconds() * 1000L);
        List<Arrival> admitted = new ArrayList<>();
        long nowMs = START.toEpochMilli();
        long realNanos = System.nanoTime();

        for (Arrival arrival : scenario.arrivals()) {
            // never slower than Redis's own clock, on which the buckets' lifetime runs
            long realElapsedMs = -Math.floorDiv(realNanos - System.nanoTime(), 1_000_000);
            realNanos = System.nanoTime();
            nowMs += Math.max(arrival.gapMs(), realElapsedMs);
            clock.set(Instant.ofEpochMilli(nowMs));

            Verification verification = verifier.verifyUse(hash, List.of(), arrival.cost(), null, "198.51.100.7");
            Decision expected = reference.use(nowMs, arrival.cost());

            assertThat(decisionOf(verification)).isEqualTo(expected);
            assertThat(verification.rateLimit().remaining()).isBetween(0, scenario.limit());
            if (expected.allowed()) {
                admitted.add(new Arrival(nowMs, arrival.cost()));
            }
        }
        assertNoSpanAdmitsMoreThanTheLimitAllows(admitted, scenario.limit(), scenario.windowSeconds() * 1000L);
    }

    /** In any span from one admitted use to a later one: at most the limit at once plus the limit's rate over it. */
    private static void assertNoSpanAdmitsMoreThanTheLimitAllows(List<Arrival> admitted, int limit, long windowMs) {
        for (int first = 0; first < admitted.size(); first++) {
            long cost = 0;
            for (int last = first; last < admitted.size(); last++) {
                cost += admitted.get(last).cost();
                long spanMs = admitted.get(last).gapMs() - admitted.get(first).gapMs();
                assertThat(cost).isLessThanOrEqualTo(limit + spanMs * limit / windowMs);
            }
        }
    }

    private static Decision decisionOf(Verification verification) {
        RateLimitState state = verification.rateLimit();
        return new Decision(verification.code() == VerificationCode.VALID, state.remaining(), state.resetSeconds(),
                state.retryAfterSeconds());
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Integer> limits = Arbitraries.oneOf(Arbitraries.integers().between(1, 10),
                Arbitraries.integers().between(1, 1_000_000), Arbitraries.of(3, 7, 600_000, 999_999, 1_000_000));
        Arbitrary<Integer> windows = Arbitraries.oneOf(Arbitraries.integers().between(1, 86_400),
                Arbitraries.of(1, 7, 60, 86_400));
        return Combinators.combine(limits, windows).flatAs((limit, windowSeconds) -> {
            long windowMs = windowSeconds * 1000L;
            Arbitrary<Long> gaps = Arbitraries.oneOf(Arbitraries.just(0L),
                    Arbitraries.longs().between(0, Math.max(1, 2 * windowMs / limit)),
                    Arbitraries.longs().between(0, 2 * windowMs));
            Arbitrary<Integer> costs = Arbitraries.oneOf(Arbitraries.just(1),
                    Arbitraries.integers().between(1, Math.min(limit, 1000)));
            Arbitrary<List<Arrival>> arrivals = Combinators.combine(gaps, costs).as(Arrival::new)
                    .list().ofMinSize(1).ofMaxSize(25);
            return arrivals.map(list -> new Scenario(limit, windowSeconds, list));
        });
    }

    record Scenario(int limit, int windowSeconds, List<Arrival> arrivals) {
    }

    /**
     * A use {@code gapMs} after the one before, or as long as Redis took since, costing {@code cost}; once admitted,
     * {@code gapMs} holds its epoch millisecond.
     */
    record Arrival(long gapMs, int cost) {
    }

    record Decision(boolean allowed, int remaining, long resetSeconds, Long retryAfterSeconds) {
    }

    /**
     * GCRA with time in units of 1/limit ms, in longs (an epoch millisecond times 1,000,000 is far below 2^63): the
     * emission interval is windowMs units, and a burst of the whole limit fits in the window.
     */
    private static final class ReferenceGcra {

        private final long limit;
        private final long windowMs;
        private long theoreticalArrival;

        ReferenceGcra(long limit, long windowMs) {
            this.limit = limit;
            this.windowMs = windowMs;
        }

        Decision use(long nowMs, int cost) {
            long now = nowMs * limit;
            long burst = windowMs * limit;
            long start = Math.max(theoreticalArrival, now);
            long after = start + cost * windowMs;
            if (after - now > burst) {
                return new Decision(false, (int) ((burst - (start - now)) / windowMs),
                        secondsUp(ceilDiv(start - now, limit)), secondsUp(ceilDiv(after - now - burst, limit)));
            }
            theoreticalArrival = after;
            return new Decision(true, (int) ((burst - (after - now)) / windowMs),
                    secondsUp(ceilDiv(after - now, limit)), null);
        }

        private static long ceilDiv(long dividend, long divisor) {
            return -Math.floorDiv(-dividend, divisor);
        }

        private static long secondsUp(long millis) {
            return ceilDiv(millis, 1000);
        }
    }
}
