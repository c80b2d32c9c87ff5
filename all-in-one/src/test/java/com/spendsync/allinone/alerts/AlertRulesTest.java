package com.spendsync.allinone.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.alerting.rules.WindowSweeper;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.security.AccessFailures;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** The first alert rules, brute force and privilege change, as GET /v1/alerts and the audit trail show them. */
@ExtendWith(SharedSpendSync.class)
class AlertRulesTest {

    /** The default of spendsync.alerts.brute-force.threshold. */
    private static final int BRUTE_FORCE_THRESHOLD = 20;

    private static SpendSyncInstance instance;
    private static Api api;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
        api = shared.api();
    }

    @Test
    void bruteForceFiresWhenTheRefusalsOfOneSourceReachTheThresholdWithinTheWindow() {
        String source = "probe-" + UUID.randomUUID();
        String malformed = malformedKey();
        verifyTimes(BRUTE_FORCE_THRESHOLD - 1, malformed, source);
        instance.bean(AccessFailures.class).flush();
        Instant belowThresholdRecorded = Instant.now();

        verifyTimes(1, malformed, source);
        instance.bean(AccessFailures.class).flush();

        JsonNode alert = awaitAlert("brute-force:" + source);
        assertThat(alert.path("rule").asText()).isEqualTo("brute-force");
        assertThat(alert.path("severity").asText()).isEqualTo("HIGH");
        assertThat(alert.path("subject").asText()).isEqualTo(source);
        // raised by the second batch alone: the first, one refusal short, raised nothing
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfter(belowThresholdRecorded);
        // no channel is set up on the shared instance
        assertThat(alert.path("deliveries").path("email").path("status").asText()).isEqualTo("disabled");
        assertThat(alert.path("deliveries").path("slack").path("status").asText()).isEqualTo("disabled");
    }

    @Test
    void creatingARootKeyRaisesAPrivilegeChangeRecordedInTheAuditTrail() {
        String keyId = api.createKey(keyWith("keys:create")).text("keyId");

        JsonNode alert = awaitAlert("privilege-change:" + keyId);

        assertThat(alert.path("severity").asText()).isEqualTo("HIGH");
        assertThat(alert.path("subject").asText()).isEqualTo(keyId);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = api.get("/v1/audit-logs?eventType=AlertRaised&resourceId=privilege-change:" + keyId)
                    .json().path("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).path("actor").asText()).isEqualTo("system:alerting");
            assertThat(items.get(0).path("severity").asText()).isEqualTo("WARNING");
        });
    }

    @Test
    void grantingEverythingToACustomerKeyRaisesAPrivilegeChangeButCreatingItDoesNot() {
        String keyId = api.createKey(keyWith("payments:read")).text("keyId");
        Instant beforeGrant = Instant.now();

        assertThat(api.patch("/v1/keys/" + keyId, Map.of("permissions", List.of("*"))).status()).isEqualTo(200);

        JsonNode alert = awaitAlert("privilege-change:" + keyId);
        // the key's events are handled in order: had its creation raised the alert, it would have been seen first
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(beforeGrant);
    }

    @Test
    void alertsArePagedNewestFirstWithAnOpaqueCursor() {
        awaitAlert("privilege-change:" + api.createKey(keyWith("keys:read")).text("keyId"));
        awaitAlert("privilege-change:" + api.createKey(keyWith("keys:read")).text("keyId"));

        JsonNode first = api.get("/v1/alerts?severity=HIGH&limit=1").json();
        JsonNode second = api.get("/v1/alerts?severity=HIGH&limit=1&cursor=" + first.path("nextCursor").asText())
                .json();

        assertThat(first.path("items")).hasSize(1);
        assertThat(second.path("items")).hasSize(1);
        assertThat(Instant.parse(second.path("items").get(0).path("lastSeen").asText()))
                .isBeforeOrEqualTo(Instant.parse(first.path("items").get(0).path("lastSeen").asText()));
        assertThat(second.path("items").get(0).path("alertId").asText())
                .isNotEqualTo(first.path("items").get(0).path("alertId").asText());
    }

    @ParameterizedTest
    @CsvSource({"severity=URGENT, severity", "from=yesterday, from", "to=2030-01-01, to",
            "from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z, from", "limit=0, limit", "limit=201, limit",
            "cursor=bm90LWEtY3Vyc29y, cursor"})
    void badFiltersAre400NamingTheField(String query, String field) {
        Api.Reply reply = api.get("/v1/alerts?" + query);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("errors").get(0).path("field").asText()).isEqualTo(field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz"})
    void aMissingOrInvalidCredentialIs401WithAProblem(String authorization) {
        Api.Reply reply = authorization.isEmpty() ? api.send("GET", "/v1/alerts", null, null)
                : api.sendWithAuthorization("GET", "/v1/alerts", null, authorization);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.json().path("instance").asText()).isEqualTo("/v1/alerts");
    }

    @Test
    void windowEntriesPastEveryWindowAreSweptWhileRecentOnesStay() {
        MongoTemplate mongo = instance.bean(MongoTemplate.class);
        String source = "one-off-" + UUID.randomUUID();
        Instant now = Instant.now();
        // a source that tried keys two days ago and never came back, and one that is trying now
        mongo.insert(windowEntry(source, now.minus(Duration.ofDays(2))), "alert_windows");
        Document recent = windowEntry(source, now);
        mongo.insert(recent, "alert_windows");

        assertThat(instance.bean(WindowSweeper.class).sweep()).isPositive();

        assertThat(mongo.find(Query.query(Criteria.where("subject").is(source)), Document.class, "alert_windows"))
                .extracting(entry -> entry.get("_id")).containsExactly(recent.get("_id"));
    }

    private static Document windowEntry(String source, Instant at) {
        return new Document("_id", "brute-force:" + UUID.randomUUID()).append("rule", "brute-force")
                .append("subject", source).append("count", 3L).append("at", Date.from(at));
    }

    @Test
    void aRootKeyWithoutAlertsReadIs403() {
        String readOnly = api.createKey(keyWith("keys:read")).text("key");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(readOnly).text("code")).isEqualTo("VALID"));

        assertThat(api.send("GET", "/v1/alerts", null, readOnly).status()).isEqualTo(403);
    }

    @Test
    void aBadThresholdStopsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> SpendSyncInstance.builder()
                .property("spendsync.alerts.brute-force.threshold", "0").start())
                .hasStackTraceContaining("spendsync.alerts.brute-force.threshold must be at least 1");
    }

    private static JsonNode awaitAlert(String alertId) {
        return AlertListing.awaitAlert(api, alertId);
    }

    private static void verifyTimes(int times, String key, String source) {
        for (int i = 0; i < times; i++) {
            api.post("/v1/keys/verify", Map.of("key", key, "source", source));
        }
    }

    /** A key of the right shape whose checksum does not match. */
    private static String malformedKey() {
        String key = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();
        return key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");
    }

    private static Map<String, Object> keyWith(String... permissions) {
        return Map.of("ownerId", "alerts-" + UUID.randomUUID(), "name", "alerting test key",
                "permissions", List.of(permissions));
    }
}
