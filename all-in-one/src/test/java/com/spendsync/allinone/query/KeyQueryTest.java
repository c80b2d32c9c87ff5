package com.spendsync.allinone.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The key query view, a key's history from the event store, and its state at any instant. */
@ExtendWith(SharedSpendSync.class)
class KeyQueryTest {

    private static Api api;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        api = shared.api();
    }

    @Test
    void aKeyReadsBackWithoutAnyHash() {
        String owner = "reader-" + UUID.randomUUID();
        Api.Reply created = api.createKey(Map.of("ownerId", owner, "name", "readable", "permissions",
                List.of("payments:read"), "metadata", Map.of("team", "ledger"),
                "rateLimit", Map.of("limit", 10, "windowSeconds", 60)));
        String keyId = created.text("keyId");

        JsonNode view = awaitView(keyId, "active");

        assertThat(view.path("ownerId").asText()).isEqualTo(owner);
        assertThat(view.path("prefix").asText()).isEqualTo(created.text("prefix"));
        assertThat(view.path("metadata").path("team").asText()).isEqualTo("ledger");
        assertThat(view.path("rateLimit").path("limit").asInt()).isEqualTo(10);
        assertThat(view.path("usage").path("total").asLong()).isZero();
        assertThat(view.toString()).doesNotContainIgnoringCase("hash").doesNotContain("version");
        assertThat(api.get("/v1/keys/key_" + "0".repeat(22)).status()).isEqualTo(404);
    }

    @Test
    void theViewFollowsRotationAndRevocation() {
        String keyId = api.createKey(keyRequest("owner-" + UUID.randomUUID())).text("keyId");
        awaitView(keyId, "active");

        api.rotate(keyId, 3600L);
        JsonNode rotating = awaitView(keyId, "rotating");
        api.revoke(keyId);
        JsonNode revoked = awaitView(keyId, "revoked");

        assertThat(rotating.path("rotationExpiresAt").isNull()).isFalse();
        assertThat(revoked.path("revokedAt").isNull()).isFalse();
    }

    @Test
    void pagesWalkThroughAnOwnersKeysWithoutDuplicatesOrGaps() {
        String owner = "pager-" + UUID.randomUUID();
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            created.add(api.createKey(keyRequest(owner)).text("keyId"));
        }
        await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/keys?ownerId=" + owner + "&limit=200").json().path("items").size() == 7);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/v1/keys?ownerId=" + owner + "&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("items").forEach(item -> seen.add(item.path("keyId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);

        assertThat(seen).hasSize(7).containsExactlyInAnyOrderElementsOf(created);
        assertThat(api.get("/v1/keys?ownerId=" + owner + "&status=revoked").json().path("items")).isEmpty();
    }

    @Test
    void badListingParametersAreProblems() {
        assertThat(api.get("/v1/keys?limit=0").text("type")).isEqualTo("urn:spendsync:problem:invalid-request");
        assertThat(api.get("/v1/keys?limit=201").status()).isEqualTo(400);
        assertThat(api.get("/v1/keys?status=sleeping").json().path("errors").get(0).path("field").asText())
                .isEqualTo("status");
        assertThat(api.get("/v1/keys?cursor=bm90LWEtY3Vyc29y").json().path("errors").get(0).path("field").asText())
                .isEqualTo("cursor");
        assertThat(api.get("/v1/keys?limit=ten").status()).isEqualTo(400);
    }

    @Test
    void theHistoryComesFromTheEventStoreOldestFirst() {
        String keyId = api.createKey(keyRequest("history-" + UUID.randomUUID())).text("keyId");
        api.rotate(keyId, 0L);
        api.revoke(keyId);

        JsonNode history = api.get("/v1/keys/" + keyId + "/events").json().path("items");

        assertThat(history).extracting(entry -> entry.path("type").asText())
                .containsExactly("ApiKeyCreated", "ApiKeyRotated", "ApiKeyRevoked");
        assertThat(history).extracting(entry -> entry.path("sequence").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(history).extracting(entry -> entry.path("actor").asText())
                .containsOnly("key_bootstrapRootKey000000");
        assertThat(history.toString()).doesNotContainIgnoringCase("hash");
    }

    @Test
    void theHistoryIsReadAPageAtATimeAndEveryEventOnce() {
        String keyId = api.createKey(keyRequest("history-pages-" + UUID.randomUUID())).text("keyId");
        for (int i = 0; i < 4; i++) {
            api.patch("/v1/keys/" + keyId, Map.of("name", "renamed-" + i));
        }
        List<Long> sequences = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/v1/keys/" + keyId + "/events?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor)).json();
            assertThat(page.path("items").size()).isBetween(1, 2);
            page.path("items").forEach(entry -> sequences.add(entry.path("sequence").asLong()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);

        assertThat(sequences).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(api.get("/v1/keys/" + keyId + "/events?limit=0").json().path("errors").get(0).path("field")
                .asText()).isEqualTo("limit");
        assertThat(api.get("/v1/keys/" + keyId + "/events?cursor=bm90LWEtY3Vyc29y").json().path("errors").get(0)
                .path("field").asText()).isEqualTo("cursor");
    }

    @Test
    void theStateAtAnInstantIsRebuiltFromTheEvents() {
        String keyId = api.createKey(keyRequest("asof-" + UUID.randomUUID())).text("keyId");
        Instant created = Instant.parse(api.get("/v1/keys/" + keyId + "/events").json().path("items").get(0)
                .path("timestamp").asText());
        api.patch("/v1/keys/" + keyId, Map.of("name", "renamed"));
        api.revoke(keyId);
        JsonNode history = api.get("/v1/keys/" + keyId + "/events").json().path("items");
        Instant renamed = Instant.parse(history.get(1).path("timestamp").asText());
        Instant revoked = Instant.parse(history.get(2).path("timestamp").asText());

        assertThat(api.get("/v1/keys/" + keyId + "/state?at=" + created.minusMillis(1)).status()).isEqualTo(404);
        assertThat(stateAt(keyId, created).path("name").asText()).isEqualTo("readable");
        assertThat(stateAt(keyId, renamed).path("name").asText()).isEqualTo("renamed");
        assertThat(stateAt(keyId, renamed).path("status").asText()).isEqualTo("active");
        assertThat(stateAt(keyId, revoked.minusNanos(1)).path("status").asText()).isEqualTo("active");
        assertThat(stateAt(keyId, revoked).path("status").asText()).isEqualTo("revoked");
        assertThat(api.get("/v1/keys/" + keyId + "/state?at=yesterday").json().path("errors").get(0)
                .path("field").asText()).isEqualTo("at");
    }

    private static JsonNode stateAt(String keyId, Instant at) {
        Api.Reply reply = api.get("/v1/keys/" + keyId + "/state?at=" + at);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }

    private static JsonNode awaitView(String keyId, String status) {
        JsonNode[] view = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            view[0] = api.get("/v1/keys/" + keyId).json();
            assertThat(view[0].path("status").asText()).isEqualTo(status);
        });
        return view[0];
    }

    private static Map<String, Object> keyRequest(String owner) {
        return Map.of("ownerId", owner, "name", "readable", "permissions", List.of("payments:read"));
    }
}
