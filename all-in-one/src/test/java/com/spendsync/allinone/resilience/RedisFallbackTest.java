package com.spendsync.allinone.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.embedded.EmbeddedRedis;
import com.spendsync.platform.verification.ValidationViewKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When Redis lacks an entry, verification finds the key in the MongoDB view and writes it back; when Redis is down,
 * verification answers from the MongoDB view (health says so) and never accepts a revoked key; when Redis is back,
 * it is used again without anyone doing anything. Degraded, rate limits hold per process, and only a root key with
 * {@code admin:read} is told: anyone else sees UP.
 */
class RedisFallbackTest {

    private static final Duration RETENTION = Duration.ofDays(30);

    @Test
    void verificationSurvivesAMissingEntryAndARedisOutage() throws Exception {
        try (SpendSyncInstance instance = SpendSyncInstance.builder().start()) {
            Api api = instance.api();
            String valid = api.createKey(Map.of("ownerId", "fallback", "name", "valid",
                    "permissions", List.of("payments:read"))).text("key");
            Api.Reply revokedKey = api.createKey(Map.of("ownerId", "fallback", "name", "revoked",
                    "permissions", List.of()));
            api.revoke(revokedKey.text("keyId"));
            Api.Reply limitedKey = api.createKey(Map.of("ownerId", "fallback", "name", "limited",
                    "permissions", List.of(), "rateLimit", Map.of("limit", 3, "windowSeconds", 3600)));
            awaitCode(api, valid, "VALID");
            awaitCode(api, revokedKey.text("key"), "REVOKED");
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + revokedKey.text("keyId"))
                    .text("status").equals("revoked"));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + limitedKey.text("keyId"))
                    .status() == 200);
            Instant expiresAt = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
            Api.Reply expiringKey = api.createKey(Map.of("ownerId", "fallback", "name", "expiring",
                    "permissions", List.of(), "expiresAt", expiresAt.toString()));
            String expiring = expiringKey.text("key");
            awaitCode(api, expiring, "VALID");
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + expiringKey.text("keyId"))
                    .status() == 200);
            List<Map<String, Object>> namedLimits = List.of(
                    Map.of("name", "customer", "limit", 2, "windowSeconds", 3600, "shared", "owner"),
                    Map.of("name", "writes", "limit", 1, "windowSeconds", 3600));
            Api.Reply namedA = api.createKey(Map.of("ownerId", "fallback-named", "name", "a", "permissions", List.of(),
                    "rateLimits", namedLimits));
            Api.Reply namedB = api.createKey(Map.of("ownerId", "fallback-named", "name", "b", "permissions", List.of(),
                    "rateLimits", namedLimits));
            for (Api.Reply named : List.of(namedA, namedB)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + named.text("keyId"))
                        .status() == 200);
            }
            Api.Reply networkKey = api.createKey(Map.of("ownerId", "fallback", "name", "networks",
                    "permissions", List.of(), "allowedSources", List.of("203.0.113.0/24")));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + networkKey.text("keyId"))
                    .status() == 200);
            String entry = entryOf(valid);

            RedisClient client = RedisClient.create(instance.redisUri());
            try (StatefulRedisConnection<String, String> redis = client.connect()) {
                redis.sync().del(entry);
                assertThat(api.verify(valid, "payments:read").text("code")).isEqualTo("VALID");
                assertThat(redis.sync().hget(entry, ValidationViewKeys.KEY_ID)).as("refilled").isNotNull();
                assertThat(redis.sync().pttl(entry)).as("a key that never ends stays").isEqualTo(-1);

                // a refilled entry lives as a projected one: until the retention period after the secret ends
                redis.sync().del(entryOf(expiring), entryOf(revokedKey.text("key")));
                assertThat(api.verify(expiring).text("code")).isEqualTo("VALID");
                assertThat(api.verify(revokedKey.text("key")).text("code")).isEqualTo("REVOKED");
                assertThat(Instant.now().plusMillis(redis.sync().pttl(entryOf(expiring))))
                        .isCloseTo(expiresAt.plus(RETENTION), within(1, ChronoUnit.MINUTES));
                assertThat(Instant.now().plusMillis(redis.sync().pttl(entryOf(revokedKey.text("key")))))
                        .isCloseTo(Instant.now().plus(RETENTION), within(1, ChronoUnit.MINUTES));

                redis.sync().shutdown(false);
            } finally {
                client.shutdown();
            }

            assertThat(api.verify(valid, "payments:read").text("code")).isEqualTo("VALID");
            assertThat(api.verify(valid, "ledger:write").text("code")).isEqualTo("INSUFFICIENT_PERMISSIONS");
            assertThat(api.verify(revokedKey.text("key")).text("code")).isEqualTo("REVOKED");
            // the allowlist decides from the MongoDB view as the script does from Redis
            assertThat(verifyFrom(api, networkKey.text("key"), "203.0.113.200")).isEqualTo("VALID");
            assertThat(verifyFrom(api, networkKey.text("key"), "203.0.114.1")).isEqualTo("FORBIDDEN_SOURCE");
            assertThat(api.verify(networkKey.text("key")).text("code")).as("from the caller's own address")
                    .isEqualTo("FORBIDDEN_SOURCE");
            for (int i = 0; i < 3; i++) {
                assertThat(api.verify(limitedKey.text("key")).text("code")).isEqualTo("VALID");
            }
            Api.Reply limited = api.verify(limitedKey.text("key"));
            assertThat(limited.text("code")).isEqualTo("RATE_LIMITED");
            assertThat(limited.json().path("ratelimit").path("remaining").asInt()).isZero();
            // named limits hold as the script holds them: all or nothing, the owner's limit shared by its keys
            assertThat(verifyCosting(api, namedB.text("key"), Map.of("customer", 0))).isEqualTo("VALID");
            assertThat(verifyCosting(api, namedB.text("key"), Map.of())).as("writes refuses, customer is not charged")
                    .isEqualTo("RATE_LIMITED");
            assertThat(verifyCosting(api, namedA.text("key"), Map.of("writes", 0))).isEqualTo("VALID");
            Api.Reply lastOfTheCustomers = api.post("/v1/keys/verify", Map.of("key", namedA.text("key"),
                    "costs", Map.of("writes", 0)));
            assertThat(lastOfTheCustomers.text("code")).isEqualTo("VALID");
            assertThat(lastOfTheCustomers.json().path("ratelimits").findValuesAsText("remaining"))
                    .containsExactly("0", "1");
            Api.Reply spent = api.post("/v1/keys/verify", Map.of("key", namedB.text("key"),
                    "costs", Map.of("writes", 0)));
            assertThat(spent.text("code")).as("the customer's two are spent").isEqualTo("RATE_LIMITED");
            assertThat(spent.json().path("ratelimits").findValuesAsText("refused")).containsExactly("true", "false");
            assertThat(Long.parseLong(spent.header("Retry-After"))).isBetween(1L, 1800L);
            Api.Reply health = api.get("/actuator/health");
            assertThat(health.json().path("components").path("verification").path("status").asText())
                    .isEqualTo("DEGRADED");
            assertThat(health.json().path("components").path("redis").path("status").asText()).isEqualTo("DEGRADED");
            assertThat(health.status()).isEqualTo(200);
            Api.Reply anonymousHealth = api.send("GET", "/actuator/health", null, null);
            assertThat(anonymousHealth.status()).isEqualTo(200);
            assertThat(anonymousHealth.json().path("status").asText()).isEqualTo("UP");
            assertThat(anonymousHealth.body()).doesNotContain("DEGRADED");

            URI redisUri = URI.create(instance.redisUri());
            try (EmbeddedRedis restarted = EmbeddedRedis.start(instance.dataDirectory().resolve("redis"),
                    redisUri.getPort())) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                        api.get("/actuator/health").json().path("components")
                                .path("verification").path("status").asText()).isEqualTo("UP"));
                Api.Reply afterRecovery = api.verify(valid, "payments:read");
                assertThat(afterRecovery.text("code")).isEqualTo("VALID");
                assertThat(api.verify(revokedKey.text("key")).text("code")).isEqualTo("REVOKED");
            }
        }
    }

    private static String verifyCosting(Api api, String key, Map<String, Integer> costs) {
        return api.post("/v1/keys/verify", Map.of("key", key, "costs", costs)).text("code");
    }

    private static String verifyFrom(Api api, String key, String source) {
        return api.post("/v1/keys/verify", Map.of("key", key, "source", source)).text("code");
    }

    private static String entryOf(String key) {
        return ValidationViewKeys.entry(ApiKeySecret.parse(key).orElseThrow().hash());
    }

    private static void awaitCode(Api api, String key, String code) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo(code));
    }
}
