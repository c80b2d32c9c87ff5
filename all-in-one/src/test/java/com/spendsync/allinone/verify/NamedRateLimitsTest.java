package com.spendsync.allinone.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rateLimits}: up to ten named limits per key, each the key's own or shared by every key of its owner, charged
 * all or nothing by {@code costs}; the {@code rateLimit} and {@code cost} shorthands name the limit "default". Each
 * limit shows in the answer, in both RateLimit headers, in the key view and in its history.
 */
@ExtendWith(SharedSpendSync.class)
class NamedRateLimitsTest {

    private static final Duration PROJECTION = Duration.ofSeconds(10);
    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void aKeyWithThreeLimitsIsChargedAllOrNothingAndAnOwnerWideLimitIsSharedByTheOwnersKeys() {
        Api api = instance.api();
        String owner = "customer-" + UUID.randomUUID().toString().substring(0, 8);
        List<Map<String, Object>> limits = List.of(
                Map.of("name", "default", "limit", 100, "windowSeconds", 1),
                Map.of("name", "tokens", "limit", 1_000_000, "windowSeconds", 86_400, "shared", "owner"),
                Map.of("name", "writes", "limit", 2, "windowSeconds", 60));
        Api.Reply first = api.createKey(Map.of("ownerId", owner, "name", "first", "permissions", List.of(),
                "rateLimits", limits));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.json().path("rateLimits")).hasSize(3);
        assertThat(first.json().path("rateLimits").get(1).path("shared").asText()).isEqualTo("owner");
        assertThat(first.json().path("rateLimit").path("limit").asInt()).as("the shorthand: default").isEqualTo(100);
        Api.Reply second = api.createKey(Map.of("ownerId", owner, "name", "second", "permissions", List.of(),
                "rateLimits", List.of(limits.get(1))));
        assertThat(ApiKeySecret.parse(first.text("key")).orElseThrow().hash().slot())
                .as("an owner's keys share a Redis Cluster slot")
                .isEqualTo(ApiKeySecret.parse(second.text("key")).orElseThrow().hash().slot());
        String keyId = first.text("keyId");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(api.get("/v1/keys/" + keyId).json()
                .path("rateLimits").findValuesAsText("name")).containsExactly("default", "tokens", "writes"));
        await().atMost(PROJECTION).until(() -> verify(api, second.text("key"), Map.of("tokens", 1))
                .text("code").equals("VALID"));

        Api.Reply charged = verify(api, first.text("key"), Map.of("tokens", 4_000));
        assertThat(charged.text("code")).isEqualTo("VALID");
        assertThat(charged.header("RateLimit-Policy"))
                .isEqualTo("\"default\";q=100;w=1, \"tokens\";q=1000000;w=86400, \"writes\";q=2;w=60");
        assertThat(charged.header("RateLimit")).matches("\"default\";r=99;t=\\d+, \"tokens\";r=995999;t=\\d+, "
                + "\"writes\";r=1;t=\\d+");
        assertThat(charged.json().path("ratelimit").path("remaining").asInt()).isEqualTo(99);
        JsonNode named = charged.json().path("ratelimits");
        assertThat(named.findValuesAsText("name")).containsExactly("default", "tokens", "writes");
        assertThat(named.get(1).path("shared").asText()).isEqualTo("owner");
        assertThat(named.get(1).path("remaining").asInt()).as("the second key's token counts too")
                .isEqualTo(995_999);

        assertThat(verify(api, first.text("key"), Map.of("tokens", 1_000)).text("code")).isEqualTo("VALID");
        Api.Reply refused = verify(api, first.text("key"), Map.of("tokens", 1_000));
        assertThat(refused.text("code")).as("writes: 2 a minute").isEqualTo("RATE_LIMITED");
        assertThat(refused.json().path("ratelimits").findValuesAsText("refused"))
                .containsExactly("false", "false", "true");
        assertThat(refused.json().path("ratelimits").get(1).path("remaining").asInt())
                .as("tokens not charged for the refused request").isEqualTo(994_999);
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(verify(api, second.text("key"), Map.of("tokens", 994_999)).text("code"))
                .as("the owner's tokens, to the last one, from its other key").isEqualTo("VALID");
        Api.Reply dry = verify(api, second.text("key"), Map.of());
        assertThat(dry.text("code")).isEqualTo("RATE_LIMITED");
        assertThat(dry.header("Retry-After")).isNotNull();
    }

    @Test
    void theShorthandChangesTheDefaultLimitOnlyAndTheHistoryKeepsEachList() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "limits", "name", "patched", "permissions", List.of(),
                "rateLimits", List.of(Map.of("name", "tokens", "limit", 500, "windowSeconds", 60))));
        String keyId = created.text("keyId");
        assertThat(created.json().path("rateLimit").isObject()).as("no limit named default").isFalse();
        await().atMost(PROJECTION).until(() -> api.get("/v1/keys/" + keyId).status() == 200);
        Instant beforeUpdate = Instant.now();

        Api.Reply withDefault = api.patch("/v1/keys/" + keyId, Map.of("rateLimit",
                Map.of("limit", 5, "windowSeconds", 1)));
        assertThat(withDefault.status()).as(withDefault.toString()).isEqualTo(200);
        assertThat(withDefault.json().path("rateLimits").findValuesAsText("name")).containsExactly("default", "tokens");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(verify(api, created.text("key"), null)
                .header("RateLimit-Policy")).isEqualTo("\"default\";q=5;w=1, \"tokens\";q=500;w=60"));
        assertThat(api.get("/v1/keys/" + keyId + "/state?at=" + beforeUpdate).json().path("rateLimits")
                .findValuesAsText("name")).as("as it stood before the update").containsExactly("tokens");

        Map<String, Object> clearDefault = new HashMap<>();
        clearDefault.put("rateLimit", null);
        assertThat(api.patch("/v1/keys/" + keyId, clearDefault).json().path("rateLimits").findValuesAsText("name"))
                .containsExactly("tokens");
        Map<String, Object> clearAll = new HashMap<>();
        clearAll.put("rateLimits", null);
        Api.Reply cleared = api.patch("/v1/keys/" + keyId, clearAll);
        assertThat(cleared.json().path("rateLimits")).isEmpty();
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(verify(api, created.text("key"), null)
                .header("RateLimit-Policy")).isNull());

        JsonNode history = api.get("/v1/keys/" + keyId + "/events").json();
        List<String> changes = new ArrayList<>();
        (history.isArray() ? history : history.path("items")).forEach(event -> {
            if (event.path("type").asText().equals("ApiKeyUpdated")) {
                changes.add(event.path("data").path("changedFields").toString());
            }
        });
        assertThat(changes).containsExactly("[\"rateLimits\"]", "[\"rateLimits\"]", "[\"rateLimits\"]");
    }

    @Test
    void badLimitsAndCostsAreRefusedWithTheFieldAndNothingIsStored() {
        Api api = instance.api();
        String owner = "limits-bad-" + UUID.randomUUID().toString().substring(0, 8);
        List<Map<String, Object>> eleven = IntStream.range(0, 11)
                .<Map<String, Object>>mapToObj(i -> Map.of("name", "l" + i, "limit", 1, "windowSeconds", 1)).toList();
        assertThat(fieldsOf(create(api, owner, Map.of("rateLimits", eleven)))).containsExactly("rateLimits");
        assertThat(fieldsOf(create(api, owner, Map.of("rateLimits", List.of(
                Map.of("name", "a", "limit", 1, "windowSeconds", 1),
                Map.of("name", "a", "limit", 2, "windowSeconds", 1),
                Map.of("name", "credits", "limit", 1, "windowSeconds", 1),
                Map.of("name", "Has Space", "limit", 1, "windowSeconds", 1),
                Map.of("name", "b", "limit", 0, "windowSeconds", 86_401, "shared", "team"))))))
                .containsExactly("rateLimits[1].name", "rateLimits[2].name", "rateLimits[3].name",
                        "rateLimits[4].limit", "rateLimits[4].windowSeconds", "rateLimits[4].shared");
        assertThat(fieldsOf(create(api, owner, Map.of("rateLimit", Map.of("limit", 1, "windowSeconds", 1),
                "rateLimits", List.of())))).containsExactly("rateLimits");
        assertThat(fieldsOf(create(api, owner, Map.of("rateLimit", Map.of("name", "tokens", "limit", 1,
                "windowSeconds", 1))))).containsExactly("rateLimit.name");
        // once a key the owner was then given is listed, the refused ones would be too had they been stored
        Api.Reply stored = create(api, owner, Map.of("rateLimits", List.of(
                Map.of("name", "tokens", "limit", 10, "windowSeconds", 60))));
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                api.get("/v1/keys?ownerId=" + owner).json().path("items").findValuesAsText("keyId"))
                .containsExactly(stored.text("keyId")));

        Map<String, Object> bothForms = new HashMap<>();
        bothForms.put("rateLimit", Map.of("limit", 5, "windowSeconds", 1));
        bothForms.put("rateLimits", null);
        assertThat(fieldsOf(api.patch("/v1/keys/" + stored.text("keyId"), bothForms))).containsExactly("rateLimits");

        String key = stored.text("key");
        assertThat(fieldsOf(api.post("/v1/keys/verify", Map.of("key", key, "cost", 1, "costs", Map.of("tokens", 1)))))
                .containsExactly("costs");
        assertThat(fieldsOf(api.post("/v1/keys/verify", Map.of("key", key, "costs", Map.of("tokens", -1)))))
                .containsExactly("costs.tokens");
        assertThat(fieldsOf(api.post("/v1/keys/verify", Map.of("key", key, "costs", Map.of("tokens", 1_000_001)))))
                .containsExactly("costs.tokens");
        assertThat(fieldsOf(api.post("/v1/keys/verify", Map.of("key", key, "costs", Map.of("Bad Name", 1)))))
                .containsExactly("costs");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(verify(api, key, Map.of("tokens", 10))
                .json().path("ratelimits").get(0).path("remaining").asInt()).as("nothing was charged").isZero());
    }

    private static Api.Reply create(Api api, String owner, Map<String, Object> settings) {
        Map<String, Object> body = new HashMap<>(Map.of("ownerId", owner, "name", "k", "permissions", List.of()));
        body.putAll(settings);
        return api.createKey(body);
    }

    private static List<String> fieldsOf(Api.Reply refused) {
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
        List<String> fields = new ArrayList<>();
        refused.json().path("errors").forEach(error -> fields.add(error.path("field").asText()));
        return fields;
    }

    private static Api.Reply verify(Api api, String key, Map<String, Integer> costs) {
        Map<String, Object> body = new HashMap<>(Map.of("key", key));
        if (costs != null) {
            body.put("costs", costs);
        }
        return api.post("/v1/keys/verify", body);
    }
}
