package com.spendsync.allinone.audit;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.platform.integrity.AuditSealer;
import com.spendsync.platform.integrity.IntegrityConfiguration;
import com.spendsync.platform.integrity.OfflineVerifier;
import com.spendsync.platform.integrity.Seal;
import com.spendsync.platform.integrity.SealJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trail through the running service: the online check, and the offline verifier on the service's own exports and
 * public key, agree on an untouched store and on one changed through the MongoDB driver; only an unscoped live
 * {@code audit:read} key may ask.
 */
class AuditIntegrityTest {

    private static SpendSyncInstance instance;
    private static MongoClient mongo;

    @TempDir
    Path exports;

    @BeforeAll
    static void start() {
        instance = SpendSyncInstance.builder().start();
        mongo = MongoClients.create(instance.mongoUri());
    }

    @AfterAll
    static void stop() {
        mongo.close();
        instance.close();
    }

    private static MongoCollection<Document> storedEvents() {
        return mongo.getDatabase("spendsync_audit").getCollection("domainevents");
    }

    private record Offline(int exitCode, JsonNode report) {
    }

    /** Exports the stored events, the seals and the public key through the API and runs the offline verifier on them. */
    private Offline verifyOffline(Api api) throws Exception {
        Path events = Files.writeString(exports.resolve("events-" + UUID.randomUUID() + ".ndjson"),
                api.get("/v1/audit-logs/integrity/events").body());
        Path seals = Files.writeString(exports.resolve("seals.ndjson"), api.get("/v1/audit-logs/seals").body());
        Path publicKey = Files.writeString(exports.resolve("public-key.pem"),
                api.get("/v1/audit-logs/integrity/public-key").body());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exitCode = OfflineVerifier.run(List.of("--events", events.toString(), "--seals", seals.toString(),
                "--public-key", publicKey.toString()), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        return new Offline(exitCode, Api.JSON.readTree(out.toString(StandardCharsets.UTF_8)));
    }

    private static List<String> problems(JsonNode report, String kind) {
        List<String> ids = new ArrayList<>();
        report.path("problems").forEach(problem -> {
            if (problem.path("kind").asText().equals(kind)) {
                ids.add(problem.path("eventId").asText(problem.path("chain").asText()));
            }
        });
        return ids;
    }

    @Test
    void anUntouchedTrailVerifiesOnlineAndOfflineAndAChangedByteIsFoundByBoth() throws Exception {
        Api api = instance.api();
        String keyId = api.createKey(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "integrity",
                "permissions", List.of("payments:read"))).text("keyId");
        assertThat(api.rotate(keyId, 0L).status()).isEqualTo(200);
        assertThat(instance.bean(AuditSealer.class).sealNow()).isNotNull();

        JsonNode online = api.get("/v1/audit-logs/integrity").json();
        assertThat(online.path("verified").asBoolean()).as(online.toString()).isTrue();
        assertThat(online.path("sealsChecked").asLong()).isPositive();
        assertThat(online.path("eventsChecked").asLong()).isGreaterThanOrEqualTo(3);
        Offline untouched = verifyOffline(api);
        assertThat(untouched.exitCode()).as(untouched.report().toString()).isZero();
        assertThat(untouched.report().path("verified").asBoolean()).isTrue();

        Document rotated = storedEvents().find(and(eq("aggregateIdentifier", keyId), eq("sequenceNumber", 1L))).first();
        storedEvents().updateOne(eq("_id", rotated.get("_id")), Updates.set("serializedPayload",
                rotated.getString("serializedPayload").replaceFirst("\"", "\" ")));

        JsonNode changed = api.get("/v1/audit-logs/integrity").json();
        assertThat(changed.path("verified").asBoolean()).isFalse();
        assertThat(problems(changed, "modified")).containsExactly(rotated.getString("eventIdentifier"));
        Offline offline = verifyOffline(api);
        assertThat(offline.exitCode()).isEqualTo(1);
        assertThat(problems(offline.report(), "modified")).containsExactly(rotated.getString("eventIdentifier"));

        assertThat(Files.readAllLines(instance.dataDirectory().resolve(IntegrityConfiguration.SEAL_FILE)))
                .hasSizeGreaterThanOrEqualTo((int) online.path("sealsChecked").asLong());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                instance.dataDirectory().resolve(IntegrityConfiguration.SIGNING_KEY_FILE)))).isEqualTo("rw-------");
        // each check and export was a read of the trail, recorded in it as every read is
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                api.get("/v1/audit-logs?eventType=AuditLogRead&limit=200").json().path("items").findValuesAsText("format"))
                .contains("integrity", "seals", "stored-events"));
    }

    @Test
    void aPeriodIsCheckedFromTheHeadsSealedBeforeItAndBadBoundsAreRefusedByName() {
        Api api = instance.api();
        for (String query : List.of("from=yesterday", "to=2030-01-01", "from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z")) {
            Api.Reply refused = api.get("/v1/audit-logs/integrity?" + query);
            assertThat(refused.status()).as(query).isEqualTo(400);
            assertThat(refused.json().path("errors")).extracting(error -> error.path("field").asText())
                    .as(query).containsExactly(query.startsWith("to") ? "to" : "from");
        }
        instance.bean(AuditSealer.class).sealNow();
        Instant from = Instant.now();
        String keyId = api.createKey(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "in the period",
                "permissions", List.of("payments:read"))).text("keyId");
        assertThat(instance.bean(AuditSealer.class).sealNow()).isNotNull();

        JsonNode period = api.get("/v1/audit-logs/integrity?from=" + from).json();
        JsonNode whole = api.get("/v1/audit-logs/integrity").json();
        assertThat(period.path("verified").asBoolean()).as(period.toString()).isTrue();
        assertThat(period.path("eventsChecked").asLong()).isPositive()
                .isLessThan(whole.path("eventsChecked").asLong());
        assertThat(storedEvents().countDocuments(eq("aggregateIdentifier", keyId))).isOne();
    }

    @Test
    void theNdjsonExportOfTheAuditViewCarriesEachEntrysLinkOnItsChain() {
        Api api = instance.api();
        String keyId = api.createKey(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "linked",
                "permissions", List.of("payments:read"))).text("keyId");
        assertThat(api.rotate(keyId, 0L).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> entries = ndjson(api.get("/v1/audit-logs/export?format=ndjson&resourceId=" + keyId).body());
            Map<String, Document> stored = new HashMap<>();
            storedEvents().find(eq("aggregateIdentifier", keyId))
                    .forEach(event -> stored.put(event.getString("eventIdentifier"), event));
            assertThat(entries).hasSize(2).allSatisfy(entry -> {
                Document event = stored.get(entry.path("eventId").asText());
                assertThat(entry.path("chain").asText()).isEqualTo(keyId);
                assertThat(entry.path("chainSeq").asLong()).isEqualTo(event.get("sequenceNumber", Number.class).longValue());
                assertThat(entry.path("chainHash").asText()).isEqualTo(event.getString("chainHash")).hasSize(64);
            });
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ndjson(api.get("/v1/audit-logs/export?format=ndjson&eventType=AuditLogRead").body()))
                        .isNotEmpty().allSatisfy(read -> assertThat(read.path("chain").asText()).startsWith("service:")));
        assertThat(api.get("/v1/audit-logs/export?format=csv&resourceId=" + keyId).body()).doesNotContain("chainHash");
    }

    private static List<JsonNode> ndjson(String body) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                lines.add(Api.JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void onlyAnUnscopedLiveAuditReaderMayCheckOrExport() {
        Api api = instance.api();
        String owner = "owner-" + UUID.randomUUID();
        String scoped = api.createKey(Map.of("ownerId", owner, "name", "scoped auditor", "permissions",
                List.of("audit:read"), "scope", Map.of("owners", List.of(owner)))).text("key");
        String weak = api.createKey(Map.of("ownerId", owner, "name", "key reader", "permissions",
                List.of("keys:read"))).text("key");
        String auditor = api.createKey(Map.of("ownerId", owner, "name", "auditor", "permissions",
                List.of("audit:read"))).text("key");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.send("GET", "/v1/audit-logs/integrity/public-key", null, auditor).status() == 200);

        for (String path : List.of("/v1/audit-logs/integrity", "/v1/audit-logs/integrity/events",
                "/v1/audit-logs/seals", "/v1/audit-logs/integrity/public-key")) {
            assertThat(api.send("GET", path, null, scoped).status()).as(path).isEqualTo(403);
            assertThat(api.send("GET", path, null, weak).status()).as(path).isEqualTo(403);
            assertThat(api.send("GET", path, null, null).status()).as(path).isEqualTo(401);
        }
        assertThat(api.send("GET", "/v1/audit-logs/integrity/public-key", null, auditor).body())
                .startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(api.send("GET", "/v1/audit-logs/integrity", null, auditor).status()).isEqualTo(200);
        assertThat(api.send("GET", "/v1/audit-logs/seals", null, auditor).status()).isEqualTo(200);
        // the stored bytes are unmasked: an auditor of the audit view may not take them
        assertThat(api.send("GET", "/v1/audit-logs/integrity/events", null, auditor).status()).isEqualTo(403);
    }

    @Test
    void aStopSealsWhatMovedSinceTheLastSeal() throws Exception {
        SpendSyncInstance stopping = SpendSyncInstance.builder().property("SPENDSYNC_AUDIT_SEAL_INTERVAL", "PT1H").start();
        String keyId;
        try (stopping) {
            keyId = stopping.api().createKey(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "sealed at stop",
                    "permissions", List.of("payments:read"))).text("keyId");
        }
        List<Seal> seals = Files.readAllLines(stopping.dataDirectory().resolve(IntegrityConfiguration.SEAL_FILE)).stream()
                .map(SealJson::read).toList();
        assertThat(seals).last().satisfies(seal -> assertThat(seal.heads())
                .anySatisfy(head -> assertThat(head.chain()).isEqualTo(keyId)));
    }
}
