package com.spendsync.allinone.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.platform.security.AccessFailures;
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
 * {@code allowedSources}: the networks a key may be verified from, validated and written in one form when the key is
 * created or updated, kept in the key view and its history, and decided by verification from the request's
 * {@code source} or, without one, the caller's own address; a use from elsewhere is {@code FORBIDDEN_SOURCE}, a
 * refusal counted as the others are.
 */
@ExtendWith(SharedSpendSync.class)
class AllowedSourcesTest {

    private static final Duration PROJECTION = Duration.ofSeconds(10);
    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void aKeyIsVerifiedOnlyFromItsNetworksWrittenInOneForm() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "networks", "name", "k", "permissions", List.of(),
                "allowedSources", List.of("203.0.113.77/24", "2001:DB8:0:0::/48", "10.1.2.3", "::ffff:192.0.2.1",
                        "203.0.113.0/24")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        List<String> canonical = List.of("203.0.113.0/24", "2001:db8::/48", "10.1.2.3/32", "192.0.2.1/32");
        assertThat(strings(created.json().path("allowedSources"))).isEqualTo(canonical);
        String keyId = created.text("keyId");
        String key = created.text("key");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                strings(api.get("/v1/keys/" + keyId).json().path("allowedSources"))).isEqualTo(canonical));

        for (String inside : List.of("203.0.113.0", "203.0.113.255", "2001:db8:0:1::5", "10.1.2.3",
                "::ffff:10.1.2.3", "192.0.2.1")) {
            Api.Reply verified = verifyFrom(api, key, inside);
            assertThat(verified.text("code")).as(inside).isEqualTo("VALID");
        }
        for (String outside : List.of("203.0.114.0", "2001:db9::1", "10.1.2.4", "192.0.2.2", "gateway-7", "*")) {
            Api.Reply refused = verifyFrom(api, key, outside);
            assertThat(refused.status()).isEqualTo(200);
            assertThat(refused.text("code")).as(outside).isEqualTo("FORBIDDEN_SOURCE");
            assertThat(refused.json().path("valid").asBoolean()).isFalse();
            assertThat(refused.text("keyId")).as("the gateway can log which key it was").isEqualTo(keyId);
            assertThat(refused.json().has("ratelimit")).as("nothing spent").isFalse();
        }
        assertThat(api.verify(key).text("code")).as("no source: the caller's own address, 127.0.0.1")
                .isEqualTo("FORBIDDEN_SOURCE");
    }

    @Test
    void aUseFromOutsideIsARefusalCountedPerSource() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "networks", "name", "counted", "permissions", List.of(),
                "allowedSources", List.of("10.0.0.0/8")));
        String source = "192.0.2." + (1 + Math.abs(UUID.randomUUID().hashCode() % 250));
        // known to verification first: before, the key would be an unknown one
        await().atMost(PROJECTION).until(() ->
                verifyFrom(api, created.text("key"), "10.0.0.1").text("code").equals("VALID"));
        IntStream.range(0, 4).forEach(i -> assertThat(verifyFrom(api, created.text("key"), source).text("code"))
                .isEqualTo("FORBIDDEN_SOURCE"));

        instance.bean(AccessFailures.class).flush();

        await().atMost(PROJECTION).untilAsserted(() -> {
            long count = 0;
            for (JsonNode item : api.get("/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=" + source)
                    .json().path("items")) {
                if (AccessFailures.FORBIDDEN_SOURCE.equals(item.path("metadata").path("kind").asText())) {
                    count += item.path("metadata").path("count").asLong();
                }
            }
            assertThat(count).isGreaterThanOrEqualTo(4);
        });
    }

    @Test
    void anUpdateSetsOrClearsTheNetworksAndTheHistoryKeepsEach() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "networks", "name", "updated", "permissions",
                List.of()));
        String keyId = created.text("keyId");
        String key = created.text("key");
        await().atMost(PROJECTION).until(() -> verifyFrom(api, key, "198.51.100.1").text("code").equals("VALID"));
        Instant beforeUpdate = Instant.now();

        Api.Reply narrowed = api.patch("/v1/keys/" + keyId, Map.of("allowedSources", List.of("127.0.0.1")));
        assertThat(narrowed.status()).as(narrowed.toString()).isEqualTo(200);
        assertThat(strings(narrowed.json().path("allowedSources"))).containsExactly("127.0.0.1/32");
        await().atMost(PROJECTION).until(() ->
                verifyFrom(api, key, "198.51.100.1").text("code").equals("FORBIDDEN_SOURCE"));
        assertThat(api.verify(key).text("code")).as("from 127.0.0.1").isEqualTo("VALID");
        assertThat(api.get("/v1/keys/" + keyId + "/state?at=" + beforeUpdate).json().path("allowedSources")
                .isNull()).as("as it stood before the update").isTrue();
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                strings(api.get("/v1/keys/" + keyId + "/state?at=" + Instant.now()).json().path("allowedSources")))
                .containsExactly("127.0.0.1/32"));

        Map<String, Object> clear = new HashMap<>();
        clear.put("allowedSources", null);
        Api.Reply cleared = api.patch("/v1/keys/" + keyId, clear);
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().path("allowedSources").isNull()).isTrue();
        await().atMost(PROJECTION).until(() -> verifyFrom(api, key, "198.51.100.1").text("code").equals("VALID"));

        JsonNode history = api.get("/v1/keys/" + keyId + "/events").json();
        List<String> changes = new ArrayList<>();
        (history.isArray() ? history : history.path("items")).forEach(event -> {
            if (event.path("type").asText().equals("ApiKeyUpdated")) {
                changes.add(strings(event.path("data").path("changedFields")).toString());
            }
        });
        assertThat(changes).containsExactly("[allowedSources]", "[allowedSources]");
    }

    @Test
    void anEntryThatIsNoAddressOrBlockIsRefusedWithItsIndexAndNothingIsStored() {
        Api api = instance.api();
        String owner = "networks-bad-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Reply refused = api.createKey(Map.of("ownerId", owner, "name", "k", "permissions", List.of(),
                "allowedSources", List.of("10.0.0.0/8", "10.0.0.0/33", "example.com", "fe80::1%eth0")));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
        List<String> fields = new ArrayList<>();
        refused.json().path("errors").forEach(error -> fields.add(error.path("field").asText()));
        assertThat(fields).containsExactly("allowedSources[1]", "allowedSources[2]", "allowedSources[3]");

        List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "10.0." + i + ".0/24").toList();
        Api.Reply crowded = api.createKey(Map.of("ownerId", owner, "name", "k", "permissions", List.of(),
                "allowedSources", tooMany));
        assertThat(crowded.status()).isEqualTo(400);
        assertThat(crowded.json().path("errors").get(0).path("field").asText()).isEqualTo("allowedSources");

        Api.Reply empty = api.createKey(Map.of("ownerId", owner, "name", "k", "permissions", List.of(),
                "allowedSources", List.of()));
        assertThat(empty.status()).as("an empty list is no 'nowhere'").isEqualTo(400);
        Api.Reply rootKey = api.createKey(Map.of("ownerId", owner, "name", "root", "permissions",
                List.of("keys:read"), "allowedSources", List.of("10.0.0.0/8")));
        assertThat(rootKey.status()).as("a key reaching the management plane").isEqualTo(400);
        assertThat(rootKey.json().path("errors").get(0).path("field").asText()).isEqualTo("allowedSources");
        // once a key the owner was then given is listed, the refused ones would be too had they been stored
        String stored = api.createKey(Map.of("ownerId", owner, "name", "k", "permissions", List.of())).text("keyId");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                api.get("/v1/keys?ownerId=" + owner).json().path("items").findValuesAsText("keyId"))
                .containsExactly(stored));

        Api.Reply key = api.createKey(Map.of("ownerId", "networks", "name", "patched", "permissions", List.of(),
                "allowedSources", List.of("10.0.0.0/8")));
        String path = "/v1/keys/" + key.text("keyId");
        Api.Reply badPatch = api.patch(path, Map.of("allowedSources", List.of("1.2.3")));
        assertThat(badPatch.status()).isEqualTo(400);
        assertThat(badPatch.json().path("errors").get(0).path("field").asText()).isEqualTo("allowedSources[0]");
        Api.Reply promoted = api.patch(path, Map.of("permissions", List.of("keys:read")));
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(400);
        assertThat(promoted.json().path("errors").get(0).path("field").asText()).isEqualTo("allowedSources");
        assertThat(api.get(path).json().path("permissions")).as("nothing changed").isEmpty();
    }

    private static Api.Reply verifyFrom(Api api, String key, String source) {
        return api.post("/v1/keys/verify", Map.of("key", key, "source", source));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
