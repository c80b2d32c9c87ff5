package com.spendsync.allinone.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.admin.ProjectionReplayRequestedEvent;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.platform.verification.ValidationViewKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Rebuilding a projection from the event store while verification traffic goes on: no valid key is refused and no
 * revoked key accepted at any moment, and the views come back complete. A second rebuild asked for meanwhile is
 * refused.
 */
class ReplayTest {

    private static final int KEYS = 20;

    @Test
    void replayingTheViewsUnderVerificationTrafficNeverGivesAWrongAnswer() throws Exception {
        try (SpendSyncInstance instance = SpendSyncInstance.builder().start()) {
            Api api = instance.api();
            List<String> valid = new ArrayList<>();
            String someKeyId = null;
            List<String> revoked = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                Api.Reply created = api.createKey(Map.of("ownerId", "replay", "name", "key " + i,
                        "permissions", List.of("payments:read")));
                someKeyId = created.text("keyId");
                if (i % 2 == 0) {
                    api.revoke(created.text("keyId"));
                    revoked.add(created.text("key"));
                } else {
                    valid.add(created.text("key"));
                }
            }
            awaitAll(api, valid, "VALID");
            awaitAll(api, revoked, "REVOKED");
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> api.get("/v1/keys?ownerId=replay&status=revoked&limit=200").json().path("items").size()
                            == KEYS / 2);

            // a mark the rebuild must wipe: proof that the Redis view really started from empty
            RedisClient redisClient = RedisClient.create(instance.redisUri());
            StatefulRedisConnection<String, String> redis = redisClient.connect();
            String record = ValidationViewKeys.keyRecord(someKeyId);
            redis.sync().hset(record, "replay-probe", "1");

            ConcurrentLinkedQueue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
            AtomicBoolean trafficOn = new AtomicBoolean(true);
            AtomicInteger verifications = new AtomicInteger();
            ExecutorService traffic = Executors.newFixedThreadPool(2);
            List<Future<?>> loops = List.of(
                    traffic.submit(() -> verifyUntilStopped(api, valid, "VALID", trafficOn, verifications,
                            wrongAnswers)),
                    traffic.submit(() -> verifyUntilStopped(api, revoked, "REVOKED", trafficOn, verifications,
                            wrongAnswers)));
            try {
                for (String projection : List.of("redis-validation-view", "key-query-view")) {
                    assertThat(api.post("/v1/admin/projections/" + projection + "/replay", Map.of()).status())
                            .isEqualTo(202);
                    // one rebuild at a time: the view being rebuilt has events to read, so the next request meets it
                    Api.Reply refused = api.post("/v1/admin/projections/audit-view/replay", Map.of());
                    assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
                    assertThat(refused.text("type")).isEqualTo("urn:spendsync:problem:replay-in-progress");
                    assertThat(refused.text("title")).isEqualTo("Rebuild already running");
                    assertThat(refused.text("detail")).contains(projection);
                    awaitReplayed(api, instance, projection);
                }
                int before = verifications.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> verifications.get() > before + 50);
            } finally {
                trafficOn.set(false);
                for (Future<?> loop : loops) {
                    loop.get();
                }
                traffic.shutdown();
            }

            assertThat(wrongAnswers).isEmpty();
            assertThat(redis.sync().hget(record, "replay-probe")).isNull();
            assertThat(redis.sync().hget(record, ValidationViewKeys.SEQUENCE)).isNotNull();
            redis.close();
            redisClient.shutdown();
            assertThat(api.get("/v1/keys?ownerId=replay&status=revoked&limit=200").json().path("items").size())
                    .isEqualTo(KEYS / 2);
            assertThat(api.post("/v1/admin/projections/no-such-view/replay", Map.of()).status()).isEqualTo(404);
        }
    }

    @Test
    void aSecretRotatedAwayNeverVerifiesAgainWhileTheKeyViewIsRebuilt() throws Exception {
        try (SpendSyncInstance instance = SpendSyncInstance.builder().start()) {
            Api api = instance.api();
            Api.Reply created = api.createKey(Map.of("ownerId", "rebuild", "name", "rotated",
                    "permissions", List.of("payments:read")));
            String oldKey = created.text("key");
            // events between the key's creation and its rotation keep the rebuilt view at the older state a while
            for (int i = 0; i < 100; i++) {
                api.createKey(Map.of("ownerId", "rebuild", "name", "filler " + i, "permissions",
                        List.of("payments:read")));
            }
            assertThat(api.rotate(created.text("keyId"), 0L).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !"VALID".equals(api.verify(oldKey).text("code")));
            // the key view too has folded the rotation before the Redis entry goes
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> !api.get("/v1/keys/" + created.text("keyId")).json().path("rotatedAt").isMissingNode()
                            && !api.get("/v1/keys/" + created.text("keyId")).json().path("rotatedAt").isNull());
            RedisClient redisClient = RedisClient.create(instance.redisUri());
            try (StatefulRedisConnection<String, String> redis = redisClient.connect()) {
                // as if its entry had expired or Redis had lost it
                redis.sync().del(ValidationViewKeys.entry(ApiKeySecret.parse(oldKey).orElseThrow().hash()));
            } finally {
                redisClient.shutdown();
            }

            ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
            AtomicBoolean trafficOn = new AtomicBoolean(true);
            ExecutorService traffic = Executors.newSingleThreadExecutor();
            Future<?> loop = traffic.submit(() -> {
                while (trafficOn.get()) {
                    answers.add(api.verify(oldKey).text("code"));
                }
            });
            try {
                assertThat(api.post("/v1/admin/projections/key-query-view/replay", Map.of()).status())
                        .isEqualTo(202);
                awaitReplayed(api, instance, "key-query-view");
            } finally {
                trafficOn.set(false);
                loop.get();
                traffic.shutdown();
            }

            assertThat(answers).isNotEmpty().doesNotContain("VALID");
            assertThat(api.verify(oldKey).text("code")).isNotEqualTo("VALID");
        }
    }

    /** The request is in the audit trail, and every projection runs caught up again. */
    private static void awaitReplayed(Api api, SpendSyncInstance instance, String projection) {
        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> eventStore.payloadsOf(
                    ProjectionReplayRequestedEvent.class).stream()
                    .filter(payload -> payload.path("projection").asText().equals(projection)).count() == 1);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode projections = api.get("/v1/admin/projections").json();
            assertThat(projections).isNotEmpty();
            for (JsonNode status : projections) {
                assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("running");
                assertThat(status.path("replaying").asBoolean()).as(status.toString()).isFalse();
            }
        });
    }

    private static void verifyUntilStopped(Api api, List<String> keys, String expected, AtomicBoolean on,
                                           AtomicInteger count, ConcurrentLinkedQueue<String> wrong) {
        while (on.get()) {
            for (String key : keys) {
                String code = api.verify(key).text("code");
                count.incrementAndGet();
                if (!expected.equals(code)) {
                    wrong.add(expected + " key answered " + code);
                }
            }
        }
    }

    private static void awaitAll(Api api, List<String> keys, String code) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(keys)
                .allSatisfy(key -> assertThat(api.verify(key).text("code")).isEqualTo(code)));
    }
}
