package com.spendsync.platform.verification;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The rate limits of verify.lua, run on a real redis-server, against a GCRA written plainly in Java: for one to three
 * named limits, each of any limit (1 to 1,000,000) per any window (1 to 86,400 s), the key's own or its owner's, any
 * costs for each (0, within the limit, or above it) and any arrival times, the script admits a use exactly when every
 * reference admits it, charges all or none, and reports each limit exactly as its reference does; {@code remaining}
 * never exceeds the limit, and no span of time admits more than the limit at once plus the limit's rate over it. The
 * fallback that applies the limits while Redis is unreachable ({@link DegradedRateLimits}) decides the same.
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
    void the_script_is_the_exact_gcra_over_every_limit_all_or_nothing(@ForAll("scenarios") Scenario scenario) {
        MutableClock clock = new MutableClock(START);
        KeyVerifier verifier = new KeyVerifier(redis, new ReactiveStringRedisTemplate(connectionFactory), clock,
                new StaticListableBeanFactory().getBeanProvider(VerificationFallback.class),
                new ValidationViewWriter(redis), new UnknownKeys(new SimpleMeterRegistry()), Duration.ofDays(30));
        KeyHash hash = ApiKeySecret.generate(KeyEnvironment.LIVE, RANDOM).hash();
        Map<String, String> entry = new HashMap<>(ValidationViewKeys.settingsFields(List.of(), null,
                scenario.limits(), null, null));
        entry.put(ValidationViewKeys.KEY_ID, "key_" + KEYS.incrementAndGet());
        entry.put(ValidationViewKeys.OWNER_ID, "owner_" + KEYS.get());
        entry.put(ValidationViewKeys.STATUS, ValidationViewKeys.STATUS_ACTIVE);
        redis.opsForHash().putAll(ValidationViewKeys.entry(hash), entry);
        List<ReferenceGcra> references = scenario.limits().stream()
                .map(limit -> new ReferenceGcra(limit.limit(), limit.windowSeconds() * 1000L)).toList();
        List<List<Arrival>> admitted = scenario.limits().stream().<List<Arrival>>map(limit -> new ArrayList<>())
                .toList();
        long nowMs = START.toEpochMilli();
        long realNanos = System.nanoTime();

        for (Arrival arrival : scenario.arrivals()) {
            // never slower than Redis's own clock, on which the buckets' lifetime runs
            long realElapsedMs = -Math.floorDiv(realNanos - System.nanoTime(), 1_000_000);
            realNanos = System.nanoTime();
            nowMs += Math.max(arrival.gapMs(), realElapsedMs);
            clock.set(Instant.ofEpochMilli(nowMs));
            Map<String, Integer> costs = new HashMap<>();
            for (int i = 0; i < references.size(); i++) {
                costs.put(scenario.limits().get(i).name(), arrival.costs().get(i));
            }

            Verification verification = verifier.verifyUse(hash, List.of(), costs, null, "198.51.100.7");
            long at = nowMs;
            List<Decision> expected = new ArrayList<>();
            boolean allAdmit = true;
            for (int i = 0; i < references.size(); i++) {
                allAdmit &= references.get(i).admits(at, arrival.costs().get(i));
            }
            for (int i = 0; i < references.size(); i++) {
                expected.add(references.get(i).use(at, arrival.costs().get(i), allAdmit));
            }

            assertThat(verification.code()).isEqualTo(allAdmit ? VerificationCode.VALID : VerificationCode.RATE_LIMITED);
            assertThat(verification.rateLimits()).extracting(RateLimitProperties::decisionOf).isEqualTo(expected);
            for (int i = 0; i < references.size(); i++) {
                assertThat(verification.rateLimits().get(i).remaining()).isBetween(0, scenario.limits().get(i).limit());
                if (allAdmit) {
                    admitted.get(i).add(new Arrival(nowMs, List.of(arrival.costs().get(i))));
                }
            }
        }
        for (int i = 0; i < references.size(); i++) {
            RateLimitPolicy limit = scenario.limits().get(i);
            assertNoSpanAdmitsMoreThanTheLimitAllows(admitted.get(i), limit.limit(), limit.windowSeconds() * 1000L);
        }
    }

    @Property(tries = 300)
    void without_redis_the_fallback_decides_as_the_reference_does(@ForAll("scenarios") Scenario scenario) {
        MutableClock clock = new MutableClock(START);
        DegradedRateLimits fallback = new DegradedRateLimits(clock);
        Verification valid = new Verification(VerificationCode.VALID, "key_" + KEYS.incrementAndGet(), "owner",
                List.of(), null, null, null, List.of());
        List<ReferenceGcra> references = scenario.limits().stream()
                .map(limit -> new ReferenceGcra(limit.limit(), limit.windowSeconds() * 1000L)).toList();
        long nowMs = START.toEpochMilli();
        for (Arrival arrival : scenario.arrivals()) {
            nowMs += arrival.gapMs();
            clock.set(Instant.ofEpochMilli(nowMs));
            Map<String, Integer> costs = new HashMap<>();
            boolean allAdmit = true;
            for (int i = 0; i < references.size(); i++) {
                costs.put(scenario.limits().get(i).name(), arrival.costs().get(i));
                allAdmit &= references.get(i).admits(nowMs, arrival.costs().get(i));
            }
            List<Decision> expected = new ArrayList<>();
            for (int i = 0; i < references.size(); i++) {
                expected.add(references.get(i).use(nowMs, arrival.costs().get(i), allAdmit));
            }

            Verification decided = fallback.spend(valid, scenario.limits(), costs);

            assertThat(decided.code()).isEqualTo(allAdmit ? VerificationCode.VALID : VerificationCode.RATE_LIMITED);
            assertThat(decided.rateLimits()).extracting(RateLimitProperties::decisionOf).isEqualTo(expected);
        }
    }

    /** In any span from one admitted use to a later one: at most the limit at once plus the limit's rate over it. */
    private static void assertNoSpanAdmitsMoreThanTheLimitAllows(List<Arrival> admitted, int limit, long windowMs) {
        for (int first = 0; first < admitted.size(); first++) {
            long cost = 0;
            for (int last = first; last < admitted.size(); last++) {
                cost += admitted.get(last).costs().get(0);
                long spanMs = admitted.get(last).gapMs() - admitted.get(first).gapMs();
                assertThat(cost).isLessThanOrEqualTo(limit + spanMs * limit / windowMs);
            }
        }
    }

    private static Decision decisionOf(RateLimitState state) {
        return new Decision(!state.refused(), state.remaining(), state.resetSeconds(), state.retryAfterSeconds());
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Integer> quotas = Arbitraries.oneOf(Arbitraries.integers().between(1, 10),
                Arbitraries.integers().between(1, 1_000_000), Arbitraries.of(3, 7, 600_000, 999_999, 1_000_000));
        Arbitrary<Integer> windows = Arbitraries.oneOf(Arbitraries.integers().between(1, 86_400),
                Arbitraries.of(1, 7, 60, 86_400));
        Arbitrary<RateLimitPolicy> limits = Combinators.combine(quotas, windows, Arbitraries.of(RateLimitSharing.values()))
                .as((quota, window, sharing) -> new RateLimitPolicy("x", quota, window, sharing));
        return limits.list().ofMinSize(1).ofMaxSize(3).flatMap(drawn -> {
            List<RateLimitPolicy> named = new ArrayList<>();
            for (int i = 0; i < drawn.size(); i++) {
                RateLimitPolicy limit = drawn.get(i);
                named.add(new RateLimitPolicy(i == 0 ? RateLimitPolicy.DEFAULT : "limit-" + i, limit.limit(),
                        limit.windowSeconds(), limit.shared()));
            }
            // the arrivals' pace follows the first limit; the others refuse now and then, or often
            long windowMs = named.get(0).windowSeconds() * 1000L;
            Arbitrary<Long> gaps = Arbitraries.oneOf(Arbitraries.just(0L),
                    Arbitraries.longs().between(0, Math.max(1, 2 * windowMs / named.get(0).limit())),
                    Arbitraries.longs().between(0, 2 * windowMs));
            List<Arbitrary<Integer>> costsEach = named.stream().map(limit -> Arbitraries.frequencyOf(
                    Tuple.of(5, Arbitraries.just(1)),
                    Tuple.of(4, Arbitraries.integers().between(0, Math.min(limit.limit(), 1000))),
                    Tuple.of(1, Arbitraries.integers().between(1, 1_000_000)))).toList();
            Arbitrary<List<Integer>> costs = Combinators.combine(costsEach).as(List::copyOf);
            Arbitrary<List<Arrival>> arrivals = Combinators.combine(gaps, costs).as(Arrival::new)
                    .list().ofMinSize(1).ofMaxSize(25);
            return arrivals.map(list -> new Scenario(List.copyOf(named), list));
        });
    }

    record Scenario(List<RateLimitPolicy> limits, List<Arrival> arrivals) {
    }

    /**
     * A use {@code gapMs} after the one before, or as long as Redis took since, costing each limit its entry of
     * {@code costs}; once admitted, {@code gapMs} holds its epoch millisecond.
     */
    record Arrival(long gapMs, List<Integer> costs) {
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

        /** Whether the cost fits now. */
        boolean admits(long nowMs, int cost) {
            long now = nowMs * limit;
            return Math.max(theoreticalArrival, now) + cost * windowMs - now <= windowMs * limit;
        }

        /** The limit's state after a request it admits or not, charged only when {@code charged}. */
        Decision use(long nowMs, int cost, boolean charged) {
            long now = nowMs * limit;
            long burst = windowMs * limit;
            long start = Math.max(theoreticalArrival, now);
            long after = start + cost * windowMs;
            boolean fits = after - now <= burst;
            if (charged) {
                theoreticalArrival = after;
                return new Decision(true, (int) ((burst - (after - now)) / windowMs),
                        secondsUp(ceilDiv(after - now, limit)), null);
            }
            Long retry = fits || cost > limit ? null : secondsUp(ceilDiv(after - now - burst, limit));
            return new Decision(fits, (int) Math.max(0, (burst - (start - now)) / windowMs),
                    secondsUp(ceilDiv(start - now, limit)), retry);
        }

        private static long ceilDiv(long dividend, long divisor) {
            return -Math.floorDiv(-dividend, divisor);
        }

        private static long secondsUp(long millis) {
            return ceilDiv(millis, 1000);
        }
    }
}
