package com.spendsync.allinone.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.common.caching.Cache;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Axon's MongoDB event stream tracks by timestamp: an event that commits later than the look-back window after its
 * own timestamp is skipped by every streaming processor. This test commits such an event (written into the store
 * the way a slow writer's insert would land), shows the views miss it, and shows them whole once the key's next
 * event reveals the gap.
 */
@ExtendWith(SharedSpendSync.class)
class LateCommitTest {

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void anEventTheStreamSkippedIsHealedIntoEveryView() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "late-" + UUID.randomUUID(), "name", "before",
                "permissions", List.of("payments:read")));
        String keyId = created.text("keyId");
        String key = created.text("key");
        await().atMost(Duration.ofSeconds(10)).until(() -> "before".equals(api.get("/v1/keys/" + keyId).text("name")));

        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            commitLate(eventStore, keyId, Instant.now().minus(Duration.ofMinutes(2)));
        }
        // the command side must see the store as it is, not its cached copy of the key
        instance.bean(Cache.class).removeAll();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(
                () -> "before".equals(api.get("/v1/keys/" + keyId).text("name")));
        assertThat(api.verify(key, "ledger:read").text("code")).isEqualTo("INSUFFICIENT_PERMISSIONS");

        Api.Reply next = api.patch("/v1/keys/" + keyId, Map.of("metadata", Map.of("after", "late commit")));
        assertThat(next.status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Api.Reply view = api.get("/v1/keys/" + keyId);
            assertThat(view.text("name")).isEqualTo("committed late");
            assertThat(view.json().path("permissions").toString()).isEqualTo("[\"ledger:read\"]");
            assertThat(view.json().path("metadata").path("after").asText()).isEqualTo("late commit");
        });
        assertThat(api.verify(key, "ledger:read").text("code")).isEqualTo("VALID");
        await().atMost(Duration.ofSeconds(10)).until(() -> auditedUpdates(api, keyId) == 2);
        assertThat(api.get("/actuator/prometheus").body()).containsPattern(
                "spendsync_projection_gaps_healed_total\\{projection=\"redis-validation-view\"} [1-9]");
    }

    @Test
    void aPrivilegeGrantTheStreamSkippedStillRaisesItsAlertWhenTheKeysNextEventArrives() {
        Api api = instance.api();
        String keyId = keyGrantedEverythingLate(api, "late-grant-");
        instance.bean(Cache.class).removeAll();
        String alertId = "privilege-change:" + keyId;
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> AlertListing.find(api, alertId) == null);

        assertThat(api.patch("/v1/keys/" + keyId, Map.of("metadata", Map.of("after", "late grant"))).status())
                .isEqualTo(200);

        JsonNode alert = AlertListing.awaitAlert(api, alertId);
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(alert.path("detail").asText())
                .isEqualTo("key granted management permissions [*], acting on every owner");
        assertThat(api.get("/actuator/prometheus").body()).containsPattern(
                "spendsync_projection_gaps_healed_total\\{projection=\"alerting\"} [1-9]");
    }

    @Test
    void aLatePrivilegeGrantWithNothingAfterItRaisesItsAlertWithinTwoLookBacksWithoutAnyCall() {
        Api api = instance.api();
        String keyId = keyGrantedEverythingLate(api, "late-quiet-grant-");
        Duration lookBack = instance.bean(SpendSyncProperties.class).eventStore().lookBack();

        await().atMost(lookBack.multipliedBy(2).plusSeconds(5)).until(
                () -> AlertListing.find(api, "privilege-change:" + keyId) != null);
        assertThat(AlertListing.find(api, "privilege-change:" + keyId).path("detail").asText())
                .isEqualTo("key granted management permissions [*], acting on every owner");
    }

    @Test
    void theReconciliationFindsTheSkippedEventAndRepairsTheViews() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "reconcile-" + UUID.randomUUID(), "name", "before",
                "permissions", List.of("payments:read")));
        String keyId = created.text("keyId");
        await().atMost(Duration.ofSeconds(10)).until(() -> "before".equals(api.get("/v1/keys/" + keyId).text("name")));
        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            commitLate(eventStore, keyId, Instant.now().minus(Duration.ofMinutes(2)));
        }
        instance.bean(Cache.class).removeAll();

        JsonNode report = api.get("/v1/admin/projections/reconciliation").json();
        JsonNode drift = find(report.path("drift"), keyId);
        assertThat(drift.path("eventStore").asLong()).isEqualTo(1);
        assertThat(drift.path("views").path("key-query-view").asLong()).isZero();
        assertThat(drift.path("views").path("redis-validation-view").asLong()).isZero();
        assertThat(drift.path("views").path("audit-view").asLong()).isZero();

        JsonNode repair = api.post("/v1/admin/projections/reconciliation", Map.of()).json();

        assertThat(repair.path("repaired").asInt()).isPositive();
        assertThat(api.get("/v1/keys/" + keyId).text("name")).isEqualTo("committed late");
        assertThat(api.verify(created.text("key"), "ledger:read").text("code")).isEqualTo("VALID");
        assertThat(auditedUpdates(api, keyId)).isEqualTo(1);
        assertThat(find(api.get("/v1/admin/projections/reconciliation").json().path("drift"), keyId)).isNull();
    }

    @Test
    void aLateRevocationWithNothingAfterItIsHealedWithinTwoLookBacksWithoutAnyCall() {
        Api api = instance.api();
        Api.Reply created = api.createKey(Map.of("ownerId", "late-revoke-" + UUID.randomUUID(), "name", "before",
                "permissions", List.of("payments:read")));
        String keyId = created.text("keyId");
        await().atMost(Duration.ofSeconds(10)).until(() -> "VALID".equals(api.verify(created.text("key")).text("code")));

        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            Document first = eventStore.eventsOf(keyId).get(0);
            Instant stamped = Instant.now().minus(Duration.ofMinutes(2));
            String revoked = new Document("keyId", keyId)
                    .append("keyHash", Document.parse(first.getString("serializedPayload")).getString("keyHash"))
                    .append("previousKeyHash", null)
                    .append("reason", "revoked by a slow writer")
                    .append("revokedAt", stamped.toString())
                    .toJson();
            insertLate(eventStore, first, keyId, "com.spendsync.api.apikey.ApiKeyRevokedEvent", revoked, stamped);
        }
        Duration lookBack = instance.bean(SpendSyncProperties.class).eventStore().lookBack();

        await().atMost(lookBack.multipliedBy(2).plusSeconds(5)).untilAsserted(() ->
                assertThat(api.verify(created.text("key")).text("code")).isEqualTo("REVOKED"));
        // the sweep catches the views up one after the other: the key view may follow the Redis view a moment later
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(api.get("/v1/keys/" + keyId).text("status")).isEqualTo("revoked"));
    }

    /** A new key, projected, then granted {@code *} by an update committed two minutes late. */
    private static String keyGrantedEverythingLate(Api api, String ownerPrefix) {
        String keyId = api.createKey(Map.of("ownerId", ownerPrefix + UUID.randomUUID(), "name", "before",
                "permissions", List.of("payments:read"))).text("keyId");
        await().atMost(Duration.ofSeconds(10)).until(() -> "before".equals(api.get("/v1/keys/" + keyId).text("name")));
        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            commitLate(eventStore, keyId, Instant.now().minus(Duration.ofMinutes(2)), List.of("*"));
        }
        return keyId;
    }

    private static int auditedUpdates(Api api, String keyId) {
        return api.get("/v1/audit-logs?eventType=ApiKeyUpdated&resourceId=" + keyId).json().path("items").size();
    }

    private static JsonNode find(JsonNode drift, String keyId) {
        for (JsonNode entry : drift) {
            if (entry.path("keyId").asText().equals(keyId)) {
                return entry;
            }
        }
        return null;
    }

    /** Sequence 1 of the key, stamped two minutes ago: far behind every processor's look-back window. */
    private static void commitLate(EventStoreProbe eventStore, String keyId, Instant timestamp) {
        commitLate(eventStore, keyId, timestamp, List.of("ledger:read"));
    }

    private static void commitLate(EventStoreProbe eventStore, String keyId, Instant timestamp,
                                   List<String> permissions) {
        Document first = eventStore.eventsOf(keyId).get(0);
        Document payload = Document.parse(first.getString("serializedPayload"));
        String updated = new Document("keyId", keyId)
                .append("keyHash", payload.getString("keyHash"))
                .append("previousKeyHash", null)
                .append("name", "committed late")
                .append("permissions", permissions)
                .append("metadata", null)
                .append("rateLimit", null)
                .append("expiresAt", null)
                .append("changedFields", List.of("name", "permissions"))
                .append("updatedAt", timestamp.toString())
                .toJson();
        insertLate(eventStore, first, keyId, "com.spendsync.api.apikey.ApiKeyUpdatedEvent", updated, timestamp);
    }

    /** Sequence 1 of the key, inserted now with an old timestamp, as a slow writer's insert would land. */
    private static void insertLate(EventStoreProbe eventStore, Document first, String keyId, String payloadType,
                                   String payload, Instant timestamp) {
        eventStore.client().getDatabase(EventStoreProbe.AUDIT_DATABASE).getCollection("domainevents").insertOne(
                new Document("aggregateIdentifier", keyId)
                        .append("type", first.getString("type"))
                        .append("sequenceNumber", 1L)
                        .append("serializedPayload", payload)
                        .append("timestamp", timestamp.toString())
                        .append("payloadType", payloadType)
                        .append("payloadRevision", null)
                        .append("serializedMetaData", "{\"actor\":\"test:slow-writer\"}")
                        .append("eventIdentifier", UUID.randomUUID().toString()));
    }
}
