package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.RedisProcesses;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.command.usage.UsageFlusher;
import com.spendsync.platform.verification.KeyVerifier;
import com.spendsync.platform.verification.ValidationViewKeys;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Redis topology of several processes must give the validation view: usage counted on every master reaches
 * the keys' views, a rebuild empties the view on every master, and when the master of a key's entry dies, verification
 * answers right all along (from the MongoDB view while Redis cannot) and through Redis again once a replica has
 * taken over. The failover runs last: the other tests need every master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RedisTopologyContract {

    private static final Duration PROJECTION = Duration.ofSeconds(15);
    /** The longest a failover may leave verification off Redis, for the test; what it took is logged. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(RedisTopologyContract.class);

    protected final RedisProcesses processes = new RedisProcesses();
    private SpendSyncInstance instance;
    private RedisClusterCommands<String, String> redis;

    /** Starts the topology's redis-server processes; returns Spring Boot's settings that point at them. */
    protected abstract Map<String, String> startTopology();

    /** The test's own connection to the topology, routed as the application's is. */
    protected abstract RedisClusterCommands<String, String> connect();

    protected abstract void disconnect();

    @BeforeAll
    void start() {
        SpendSyncInstance.Builder builder = SpendSyncInstance.builder();
        startTopology().forEach(builder::property);
        instance = builder.start();
        redis = connect();
    }

    @AfterAll
    void stop() {
        if (instance != null) {
            instance.close();
        }
        if (redis != null) {
            disconnect();
        }
        processes.close();
    }

    protected SpendSyncInstance instance() {
        return instance;
    }

    protected RedisClusterCommands<String, String> redis() {
        return redis;
    }

    /** The master serving {@code secret}'s entry, as anything that tells masters apart. */
    protected abstract Object masterOf(KeyHash secret);

    protected abstract int masterCount();

    /** Kills (SIGKILL) the master serving {@code secret}'s entry; returns when it was killed. */
    protected abstract Instant killMasterOf(KeyHash secret);

    /** The topology's name in the log line that states the failover's figures. */
    protected abstract String topology();

    @Test
    @Order(1)
    void usesCountedOnEveryMasterReachTheKeysViews() {
        Api api = instance().api();
        List<Api.Reply> keys = new ArrayList<>(createKeys(api, "usage", 12));
        // keys on every master, so that the flush is seen to gather the uses of each
        while (keys.stream().map(key -> masterOf(hashOf(key))).distinct().count() < masterCount()) {
            keys.addAll(createKeys(api, "usage-" + keys.size(), 1));
        }
        UsageFlusher flusher = instance().bean(UsageFlusher.class);
        // the verifications that waited for the keys to be projected are uses too: recorded first
        flusher.flush();
        List<Long> before = keys.stream().map(key -> awaitUsageRecorded(api, key)).toList();
        for (int i = 0; i < keys.size(); i++) {
            for (int use = 0; use <= i % 12; use++) {
                assertThat(api.verify(keys.get(i).text("key")).text("code")).isEqualTo("VALID");
            }
        }

        flusher.flush();

        for (int i = 0; i < keys.size(); i++) {
            long uses = before.get(i) + i % 12 + 1;
            String keyId = keys.get(i).text("keyId");
            await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                    api.get("/v1/keys/" + keyId).json().path("usage").path("total").asLong()).isEqualTo(uses));
        }
        for (Api.Reply key : keys) {
            assertThat(redis().exists(ValidationViewKeys.usage(hashOf(key)))).as("counters taken").isZero();
        }
    }

    /** The key's recorded total once its view has the uses flushed so far (at least the one that saw it VALID). */
    private static long awaitUsageRecorded(Api api, Api.Reply key) {
        long[] total = new long[1];
        await().atMost(PROJECTION).until(() -> {
            total[0] = api.get("/v1/keys/" + key.text("keyId")).json().path("usage").path("total").asLong();
            return total[0] > 0;
        });
        return total[0];
    }

    @Test
    @Order(2)
    void aRebuildEmptiesTheViewOnEveryMaster() {
        Api api = instance().api();
        List<Api.Reply> keys = createKeys(api, "rebuild", 6);
        api.revoke(keys.get(0).text("keyId"));
        awaitCode(api, keys.get(0).text("key"), "REVOKED");
        // entries no key has, in slots all over the cluster: a rebuild that left any behind walked too few nodes
        SecureRandom random = new SecureRandom();
        List<String> strays = IntStream.range(0, 24).mapToObj(i -> ValidationViewKeys.entry(
                ApiKeySecret.generate(KeyEnvironment.LIVE, random).hash())).toList();
        strays.forEach(stray -> redis().hset(stray, Map.of(ValidationViewKeys.STATUS, "active", "probe", "1")));

        assertThat(api.post("/v1/admin/projections/redis-validation-view/replay", Map.of()).status()).isEqualTo(202);

        await().atMost(PROJECTION).untilAsserted(() -> {
            JsonNode projections = api.get("/v1/admin/projections").json();
            for (JsonNode status : projections) {
                assertThat(status.path("replaying").asBoolean()).as(status.toString()).isFalse();
            }
            assertThat(strays.stream().filter(stray -> redis().exists(stray) > 0)).as("strays left").isEmpty();
        });
        awaitCode(api, keys.get(0).text("key"), "REVOKED");
        for (Api.Reply key : keys.subList(1, keys.size())) {
            awaitCode(api, key.text("key"), "VALID");
        }
    }

    @Test
    @Order(3)
    void anOwnerWideLimitIsOneBucketForAllTheOwnersKeysInOneSlot() {
        Api api = instance().api();
        List<Map<String, Object>> limits = List.of(
                Map.of("name", "customer", "limit", 4, "windowSeconds", 3600, "shared", "owner"),
                Map.of("name", "default", "limit", 100, "windowSeconds", 60));
        List<Api.Reply> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Api.Reply created = api.createKey(Map.of("ownerId", "customer-wide", "name", "k" + i,
                    "permissions", List.of(), "rateLimits", limits));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            keys.add(created);
        }
        Map<String, Integer> free = Map.of("customer", 0, "default", 0);
        keys.forEach(key -> await().atMost(PROJECTION).until(() -> api.post("/v1/keys/verify",
                Map.of("key", key.text("key"), "costs", free)).text("code").equals("VALID")));
        assertThat(keys.stream().map(key -> masterOf(hashOf(key))).distinct()).as("one master").hasSize(1);

        List<String> codes = IntStream.range(0, 5)
                .mapToObj(i -> api.verify(keys.get(i % keys.size()).text("key")).text("code")).toList();

        assertThat(codes).containsExactly("VALID", "VALID", "VALID", "VALID", "RATE_LIMITED");
        assertThat(redis().hget(ValidationViewKeys.rateLimit(hashOf(keys.get(0))), ValidationViewKeys.bucketField(
                keys.get(0).text("keyId"), "customer-wide",
                new RateLimitPolicy("customer", 4, 3600, RateLimitSharing.OWNER)))).as("the owner's one bucket")
                .isNotNull();
    }

    @Test
    @Order(4)
    void whenAMasterDiesVerificationStaysRightAndReturnsToRedis() throws Exception {
        Api api = instance().api();
        List<Api.Reply> valid = createKeys(api, "failover", 12);
        List<Api.Reply> revoked = createKeys(api, "failover-revoked", 6);
        revoked.forEach(key -> api.revoke(key.text("keyId")));
        revoked.forEach(key -> awaitCode(api, key.text("key"), "REVOKED"));
        valid.forEach(key -> awaitCode(api, key.text("key"), "VALID"));
        Api.Reply probe = valid.get(0);
        KeyVerifier verifier = instance().bean(KeyVerifier.class);

        ConcurrentLinkedQueue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
        AtomicBoolean trafficOn = new AtomicBoolean(true);
        AtomicLong slowestMillis = new AtomicLong();
        AtomicLong answers = new AtomicLong();
        ExecutorService traffic = Executors.newFixedThreadPool(2);
        List<Future<?>> loops = List.of(
                traffic.submit(() -> verifyUntilStopped(api, valid, "VALID", trafficOn, answers, slowestMillis,
                        wrongAnswers)),
                traffic.submit(() -> verifyUntilStopped(api, revoked, "REVOKED", trafficOn, answers, slowestMillis,
                        wrongAnswers)));
        Duration gap;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() > 50);
            Instant killedAt = killMasterOf(hashOf(probe));

            // through Redis again: a verification of the probe that did not need the MongoDB view
            Instant[] back = new Instant[1];
            await().atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
                Instant fallbackBefore = verifier.lastFallbackAt();
                String code = api.verify(probe.text("key")).text("code");
                back[0] = Instant.now();
                return "VALID".equals(code) && !verifier.degraded()
                        && Objects.equals(fallbackBefore, verifier.lastFallbackAt());
            });
            gap = Duration.between(killedAt, back[0]);
            long before = answers.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() > before + 50);
        } finally {
            trafficOn.set(false);
            for (Future<?> loop : loops) {
                loop.get();
            }
            traffic.shutdown();
        }
        log.info("{} failover: verification back on Redis {} ms after the master was killed; {} answers, slowest {} ms",
                topology(), gap.toMillis(), answers.get(), slowestMillis.get());
        assertThat(wrongAnswers).as("wrong answers while the master was down").isEmpty();

        // the new master takes writes: a revocation reaches it, and rate limits count there
        Api.Reply limited = api.createKey(Map.of("ownerId", "after-failover", "name", "limited",
                "permissions", List.of(), "rateLimit", Map.of("limit", 2, "windowSeconds", 3600)));
        awaitCode(api, limited.text("key"), "VALID");
        assertThat(api.verify(limited.text("key")).text("code")).isEqualTo("VALID");
        assertThat(api.verify(limited.text("key")).text("code")).isEqualTo("RATE_LIMITED");
        api.revoke(probe.text("keyId"));
        awaitCode(api, probe.text("key"), "REVOKED");
    }

    private static List<Api.Reply> createKeys(Api api, String owner, int count) {
        List<Api.Reply> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Api.Reply created = api.createKey(Map.of("ownerId", owner, "name", owner + " " + i,
                    "permissions", List.of("payments:read")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            keys.add(created);
        }
        keys.forEach(key -> awaitCode(api, key.text("key"), "VALID"));
        return keys;
    }

    private static void awaitCode(Api api, String key, String code) {
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(api.verify(key).text("code")).isEqualTo(code));
    }

    private static KeyHash hashOf(Api.Reply created) {
        return ApiKeySecret.parse(created.text("key")).orElseThrow().hash();
    }

    private static void verifyUntilStopped(Api api, List<Api.Reply> keys, String expected, AtomicBoolean on,
                                           AtomicLong answers, AtomicLong slowestMillis,
                                           ConcurrentLinkedQueue<String> wrong) {
        while (on.get()) {
            for (Api.Reply key : keys) {
                long start = System.nanoTime();
                String code = api.verify(key.text("key")).text("code");
                slowestMillis.accumulateAndGet(Duration.ofNanos(System.nanoTime() - start).toMillis(), Math::max);
                answers.incrementAndGet();
                if (!expected.equals(code)) {
                    wrong.add(key.text("keyId") + ": " + code + " instead of " + expected);
                }
            }
        }
    }
}
