package com.spendsync.allinone.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.alerting.rules.ExpiryChecker;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.command.usage.UsageFlusher;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.security.AccessFailures;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The rules about a key's lifecycle and use: expiring-soon, late-grace-use and usage-anomaly. Usage, refusals and
 * expiry checks run when a test asks for them, so a test decides what each flush window and each check sees.
 *
 * <p>A key's events are handled in order, so a test that must show a rule did not fire grants the key one more
 * management permission and waits for that privilege-change raise: every event recorded before it has been handled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyLifecycleAlertsTest {

    private static final Duration PROJECTION = Duration.ofSeconds(10);
    private static final String ONE_DAY = "PT24H";

    private SpendSyncInstance instance;
    private Api api;
    private EventStoreProbe eventStore;
    /**
     * Per key, how many privilege-change raises it has had: its creation with management permissions, grants, expiry
     * changes.
     */
    private final Map<String, Integer> grants = new HashMap<>();

    @BeforeAll
    void start() {
        instance = SpendSyncInstance.builder()
                .property("SPENDSYNC_USAGE_FLUSH_INTERVAL", "PT1H")
                .property("SPENDSYNC_SECURITY_FLUSH_INTERVAL", "PT1H")
                .property("spendsync.alerts.expiring-soon.check-interval", "PT1H")
                .property("spendsync.alerts.late-grace-use.remaining-fraction", "0.5")
                .property("spendsync.alerts.usage-anomaly.warm-up-windows", "3")
                .property("spendsync.alerts.usage-anomaly.factor", "3")
                .property("spendsync.alerts.usage-anomaly.min-uses", "1")
                .property("spendsync.alerts.usage-anomaly.smoothing", "0.5")
                .start();
        api = instance.api();
        eventStore = new EventStoreProbe(instance.mongoUri());
    }

    @AfterAll
    void stop() {
        eventStore.close();
        instance.close();
    }

    // ---------------------------------------------------------------- expiring-soon

    @Test
    void aKeyCreatedInsideOneDayIsWarnedOnceForOneDayOnly() {
        Instant expiresAt = in(Duration.ofHours(20));
        Key key = createWatchedKey(expiresAt);

        checkExpiries();

        JsonNode alert = AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 1);
        assertThat(alert.path("severity").asText()).isEqualTo("LOW");
        assertThat(alert.path("keyId").asText()).isEqualTo(key.id());
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(key.prefix());
        assertThat(alert.path("detail").asText()).isEqualTo("key expires at " + expiresAt + ", within P1D");

        checkExpiries();
        checkExpiries();
        handledSoFar(key);

        assertThat(AlertListing.find(api, "expiring-soon:" + key.id()).path("count").asLong()).isEqualTo(1);
        assertThat(eventStore.expiryWarningsOf(key.id())).extracting(warning -> warning.path("threshold").asText())
                .containsOnly(ONE_DAY);
    }

    @Test
    void aKeyJustInsideTheLargestThresholdIsWarnedAndOneJustOutsideItIsNot() {
        Key outside = createWatchedKey(in(Duration.ofDays(7).plusHours(1)));
        Key inside = createWatchedKey(in(Duration.ofDays(7).minusHours(1)));

        checkExpiries();

        assertThat(AlertListing.awaitCount(api, "expiring-soon:" + inside.id(), 1).path("detail").asText())
                .endsWith("within P7D");
        handledSoFar(outside);
        assertThat(AlertListing.find(api, "expiring-soon:" + outside.id())).isNull();
    }

    @Test
    void anExpiryMovedLaterIsWarnedAboutAgain() {
        Key key = createWatchedKey(in(Duration.ofHours(20)));
        checkExpiries();
        AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 1);

        assertThat(api.patch("/v1/keys/" + key.id(), Map.of("expiresAt", in(Duration.ofDays(3)).toString()))
                .status()).isEqualTo(200);
        // a root key's expiry change is a privilege change of its own
        grants.merge(key.id(), 1, Integer::sum);
        handledSoFar(key);
        checkExpiries();

        assertThat(AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 2).path("detail").asText())
                .endsWith("within P7D");
    }

    @Test
    void aRevokedKeyIsNotWarned() {
        Key key = createWatchedKey(in(Duration.ofHours(20)));
        assertThat(api.revoke(key.id()).status()).isEqualTo(200);
        // a refused use of the revoked key is recorded after the revocation: once it raised, both were handled
        presentRevoked(key);
        AlertListing.awaitCount(api, "revoked-key-use:" + key.id(), 1);

        checkExpiries();

        presentRevoked(key);
        AlertListing.awaitCount(api, "revoked-key-use:" + key.id(), 2);
        assertThat(AlertListing.find(api, "expiring-soon:" + key.id())).isNull();
    }

    @Test
    void theSameWarningRecordedTwiceAsTwoInstancesWouldCountsOnce() {
        Key key = createWatchedKey(in(Duration.ofHours(20)));
        checkExpiries();
        AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 1);
        JsonNode recorded = eventStore.expiryWarningsOf(key.id()).get(0);

        instance.bean(EventGateway.class).publish(GenericEventMessage.asEventMessage(new KeyExpiryApproachingEvent(
                        key.id(), Instant.parse(recorded.path("expiresAt").asText()),
                        Duration.parse(recorded.path("threshold").asText()), Instant.now()))
                .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, "system:alerting")));
        handledSoFar(key);

        assertThat(eventStore.expiryWarningsOf(key.id())).hasSize(2);
        assertThat(AlertListing.find(api, "expiring-soon:" + key.id()).path("count").asLong()).isEqualTo(1);
    }

    @Test
    void aReplayRestoresTheWarningsGivenSoNoneIsRecordedAgain() {
        Key key = createWatchedKey(in(Duration.ofHours(20)));
        checkExpiries();
        AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 1);
        int recorded = eventStore.expiryWarningsOf(key.id()).size();

        assertThat(api.post("/v1/admin/projections/alerting/replay", Map.of()).status()).isEqualTo(202);
        awaitEveryProjectionRunning();
        AlertListing.awaitCount(api, "expiring-soon:" + key.id(), 1);
        checkExpiries();
        handledSoFar(key);

        assertThat(eventStore.expiryWarningsOf(key.id())).hasSize(recorded);
        assertThat(AlertListing.find(api, "expiring-soon:" + key.id()).path("count").asLong()).isEqualTo(1);
    }

    @Test
    void theAuditTrailListsAWarningUnderTheAlertItRaises() {
        Key key = createWatchedKey(in(Duration.ofHours(20)));

        checkExpiries();

        await().atMost(PROJECTION).untilAsserted(() -> {
            JsonNode items = api.get("/v1/audit-logs?eventType=KeyExpiryApproaching&resourceId=expiring-soon:"
                    + key.id()).json().path("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).path("severity").asText()).isEqualTo("INFO");
            assertThat(items.get(0).path("resourceType").asText()).isEqualTo("alert");
            assertThat(items.get(0).path("service").asText()).isEqualTo("alerting-projector");
            assertThat(items.get(0).path("actor").asText()).isEqualTo("system:alerting");
            assertThat(items.get(0).path("metadata").path("keyId").asText()).isEqualTo(key.id());
        });
    }

    // ---------------------------------------------------------------- late-grace-use

    @Test
    void usingThePreviousSecretInTheFinalHalfOfItsGraceRaisesLateGraceUseButEarlierItDoesNot() {
        Key key = createKey(Map.of());
        Api.Reply rotated = api.rotate(key.id(), 10L);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        Instant graceEnd = Instant.parse(rotated.text("previousKeyExpiresAt"));
        Instant lateFrom = graceEnd.minusSeconds(5);
        assertThat(verify(key.secret())).isEqualTo("VALID");
        flushUsage();
        handledSoFar(key);
        // the update's privilege-change alert names the key by the prefix of its new secret
        assertThat(AlertListing.find(api, "privilege-change:" + key.id()).path("keyPrefix").asText())
                .isEqualTo(rotated.text("prefix"));

        await().atMost(PROJECTION).until(() -> Instant.now().isAfter(lateFrom));
        assertThat(verify(key.secret())).as("still inside its grace").isEqualTo("VALID");
        flushUsage();

        JsonNode alert = AlertListing.awaitAlert(api, "late-grace-use:" + key.id());
        assertThat(alert.path("severity").asText()).isEqualTo("MEDIUM");
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(rotated.text("prefix"));
        assertThat(alert.path("detail").asText()).startsWith("the previous secret was used at ")
                .endsWith("in the final 50% of its grace period ending at " + graceEnd.truncatedTo(ChronoUnit.MILLIS));
        // raised by the late use alone: the early one, flushed and handled before it, raised nothing
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(lateFrom);
    }

    // ---------------------------------------------------------------- usage-anomaly

    @Test
    void aWindowOfFactorTimesTheBaselineRaisesUsageAnomalyButOneUseFewerDoesNot() {
        Key key = createKey(Map.of());
        for (int window = 0; window < 3; window++) {
            useInOneWindow(key, 2);
        }
        // warmed up on a baseline of 2 per window: 3 x 2 = 6 would raise it
        useInOneWindow(key, 5);
        Instant belowThresholdRecorded = AlertListing.now();
        // the baseline moved halfway to 5: 3 x 3.5 = 10.5
        useInOneWindow(key, 11);

        JsonNode alert = AlertListing.awaitAlert(api, "usage-anomaly:" + key.id());
        assertThat(alert.path("severity").asText()).isEqualTo("MEDIUM");
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(key.prefix());
        assertThat(alert.path("detail").asText())
                .isEqualTo("11 valid uses in one usage window of PT1H, against a baseline of 3.5 per window");
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowThresholdRecorded);
    }

    // ---------------------------------------------------------------- helpers

    private record Key(String id, String prefix, ApiKeySecret secret) {
    }

    /** A root key with {@code keys:read} expiring at {@code expiresAt}, once the alerting projector knows it. */
    private Key createWatchedKey(Instant expiresAt) {
        Key key = createKey(Map.of("permissions", List.of("keys:read"), "expiresAt", expiresAt.toString()));
        grants.put(key.id(), 1);
        AlertListing.awaitCount(api, "privilege-change:" + key.id(), 1);
        return key;
    }

    /** A key with {@code payments:read} unless told otherwise, once verification can see it. */
    private Key createKey(Map<String, Object> settings) {
        Map<String, Object> body = new HashMap<>(Map.of("ownerId", "lifecycle-" + UUID.randomUUID(),
                "name", "watched", "permissions", List.of("payments:read")));
        body.putAll(settings);
        Api.Reply created = api.createKey(body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Key key = new Key(created.text("keyId"), created.text("prefix"),
                ApiKeySecret.parse(created.text("key")).orElseThrow());
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        await().atMost(PROJECTION).until(() -> redis.hasKey(ValidationViewKeys.entry(key.secret().hash())));
        return key;
    }

    /**
     * Grants the key one more management permission and waits for the privilege-change raise it causes: the
     * alerting projector has then handled every event of the key recorded before.
     */
    private void handledSoFar(Key key) {
        int raised = grants.merge(key.id(), 1, Integer::sum);
        Api.Reply granted = api.patch("/v1/keys/" + key.id(),
                Map.of("permissions", List.of("keys:read", "probe:" + raised)));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(200);
        AlertListing.awaitCount(api, "privilege-change:" + key.id(), raised);
    }

    private void checkExpiries() {
        ExpiryChecker checker = instance.bean(ExpiryChecker.class);
        await().atMost(PROJECTION).until(checker::check);
    }

    private void presentRevoked(Key key) {
        await().atMost(PROJECTION).until(() -> verify(key.secret()).equals("REVOKED"));
        instance.bean(AccessFailures.class).flush();
    }

    private void useInOneWindow(Key key, int uses) {
        for (int i = 0; i < uses; i++) {
            assertThat(verify(key.secret())).isEqualTo("VALID");
        }
        flushUsage();
    }

    private String verify(ApiKeySecret secret) {
        return api.verify(secret.reveal()).text("code");
    }

    private void flushUsage() {
        instance.bean(UsageFlusher.class).flush();
    }

    /** Every projection running and none rebuilding, the alerting one included. */
    private void awaitEveryProjectionRunning() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode projections = api.get("/v1/admin/projections").json();
            assertThat(projections).isNotEmpty();
            for (JsonNode status : projections) {
                assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("running");
                assertThat(status.path("replaying").asBoolean()).as(status.toString()).isFalse();
            }
        });
    }

    private static Instant in(Duration duration) {
        return Instant.now().plus(duration).truncatedTo(ChronoUnit.SECONDS);
    }
}
