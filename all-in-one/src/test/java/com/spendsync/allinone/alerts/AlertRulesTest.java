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
import com.spendsync.platform.verification.ValidationViewKeys;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The first alert rules, brute force (per source and across sources) and privilege change, as GET /v1/alerts and
 * the audit trail show them.
 */
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
        Instant belowThresholdRecorded = AlertListing.now();

        verifyTimes(1, malformed, source);
        instance.bean(AccessFailures.class).flush();

        JsonNode alert = awaitAlert("brute-force:" + source);
        assertThat(alert.path("rule").asText()).isEqualTo("brute-force");
        assertThat(alert.path("severity").asText()).isEqualTo("HIGH");
        assertThat(alert.path("subject").asText()).isEqualTo(source);
        // raised by the second batch alone: the first, one refusal short, raised nothing
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowThresholdRecorded);
        // no channel is set up on the shared instance
        assertThat(alert.path("deliveries").path("email").path("status").asText()).isEqualTo("disabled");
        assertThat(alert.path("deliveries").path("slack").path("status").asText()).isEqualTo("disabled");
    }

    /**
     * Refused credentials count as brute force, on an instance of its own (the shared one's 401s come from every
     * test, all from this host), whose refusals are recorded when the test flushes them.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class RefusedCredentials {

        private static final int THRESHOLD = 5;
        private SpendSyncInstance own;

        @BeforeAll
        void start() {
            own = SpendSyncInstance.builder().property("SPENDSYNC_SECURITY_FLUSH_INTERVAL", "PT1H")
                    .property("spendsync.alerts.brute-force.threshold", Integer.toString(THRESHOLD)).start();
        }

        @AfterAll
        void stop() {
            own.close();
        }

        @Test
        void fourOhOnesAndFourOhThreesFromOneSourceRaiseBruteForceForIt() {
            Api.Reply readOnly = own.api().createKey(keyWith("keys:read"));
            StringRedisTemplate redis = own.bean(StringRedisTemplate.class);
            // waited for in Redis: verifying the key before it is projected would count a refusal
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.hasKey(ValidationViewKeys.entry(
                    ApiKeySecret.parse(readOnly.text("key")).orElseThrow().hash())));
            assertThat(own.api().send("GET", "/v1/alerts", null, readOnly.text("key")).status()).isEqualTo(403);
            for (int i = 0; i < THRESHOLD - 2; i++) {
                assertThat(own.api().send("GET", "/v1/alerts", null, null).status()).isEqualTo(401);
            }
            own.bean(AccessFailures.class).flush();
            Instant belowThresholdRecorded = AlertListing.now();

            assertThat(own.api().sendWithAuthorization("GET", "/v1/alerts", null, "Bearer garbage").status())
                    .isEqualTo(401);
            own.bean(AccessFailures.class).flush();

            JsonNode alert = AlertListing.awaitAlert(own.api(), "brute-force:127.0.0.1");
            assertThat(alert.path("keyId").isNull()).as("about the source, not the refused root key").isTrue();
            assertThat(alert.path("detail").asText())
                    .isEqualTo("5 refusals (unknown or malformed keys, keys outside their networks, 401 or 403) from 127.0.0.1 within PT5M");
            // raised by the second batch alone: the first, one refusal short, raised nothing
            assertThat(alert.path("count").asLong()).isEqualTo(1);
            assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowThresholdRecorded);
        }
    }

    /**
     * The total across sources, on an instance of its own whose refusals are recorded when the test flushes them:
     * the total counts every refusal the instance sees.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class AcrossSources {

        private static final int THRESHOLD = 5;
        private static final int TOTAL_THRESHOLD = 12;
        private SpendSyncInstance own;

        @BeforeAll
        void start() {
            own = SpendSyncInstance.builder().property("SPENDSYNC_SECURITY_FLUSH_INTERVAL", "PT1H")
                    .property("spendsync.alerts.brute-force.threshold", Integer.toString(THRESHOLD))
                    .property("spendsync.alerts.brute-force.total-threshold", Integer.toString(TOTAL_THRESHOLD))
                    .start();
        }

        @AfterAll
        void stop() {
            own.close();
        }

        @Test
        void sourcesEachBelowTheThresholdRaiseTheAllSourcesAlertOnceTogetherTheyReachTheTotal() {
            String malformed = malformedKey();
            List<String> sources = List.of("rotating-1", "rotating-2", "rotating-3", "rotating-4");
            // 4 + 4 + 3 = 11, one short of the total, and each source one or two short of its own threshold
            verifyTimes(own.api(), THRESHOLD - 1, malformed, sources.get(0));
            verifyTimes(own.api(), THRESHOLD - 1, malformed, sources.get(1));
            verifyTimes(own.api(), THRESHOLD - 2, malformed, sources.get(2));
            own.bean(AccessFailures.class).flush();
            Instant belowTotalRecorded = AlertListing.now();

            verifyTimes(own.api(), 1, malformed, sources.get(3));
            own.bean(AccessFailures.class).flush();

            JsonNode alert = AlertListing.awaitAlert(own.api(), "brute-force:*");
            assertThat(alert.path("rule").asText()).isEqualTo("brute-force");
            assertThat(alert.path("severity").asText()).isEqualTo("HIGH");
            assertThat(alert.path("subject").asText()).isEqualTo("*");
            assertThat(alert.path("detail").asText()).isEqualTo(
                    "12 refusals (unknown or malformed keys, keys outside their networks, 401 or 403) from all sources together within PT5M");
            // raised by the second batch alone: the first, one refusal short of the total, raised nothing
            assertThat(alert.path("count").asLong()).isEqualTo(1);
            assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowTotalRecorded);
            // the refusals are handled in order: an alert about one source would be listed by now
            assertThat(sources).allSatisfy(source ->
                    assertThat(AlertListing.find(own.api(), "brute-force:" + source)).as(source).isNull());
        }
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
        Instant beforeGrant = AlertListing.now();

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

        assertThat(mongo.find(Query.query(Criteria.where("rule").is("brute-force").and("subject").is(source)),
                Document.class, "alert_windows"))
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
        verifyTimes(api, times, key, source);
    }

    private static void verifyTimes(Api on, int times, String key, String source) {
        for (int i = 0; i < times; i++) {
            on.post("/v1/keys/verify", Map.of("key", key, "source", source));
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
