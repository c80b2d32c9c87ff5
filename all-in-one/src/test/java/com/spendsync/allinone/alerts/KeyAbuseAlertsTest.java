package com.spendsync.allinone.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.platform.security.AccessFailures;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The rules about one key's refused verifications: abuse (refused as rate limited) and revoked-key-use (a revoked or
 * expired key presented), on an instance with small thresholds whose refusals are recorded when a test flushes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyAbuseAlertsTest {

    private static final int ABUSE_THRESHOLD = 5;
    private static final int REVOKED_KEY_USE_THRESHOLD = 3;
    private static final Duration PROJECTION = Duration.ofSeconds(10);

    private SpendSyncInstance instance;
    private Api api;

    @BeforeAll
    void start() {
        instance = SpendSyncInstance.builder()
                .property("SPENDSYNC_SECURITY_FLUSH_INTERVAL", "PT1H")
                .property("spendsync.alerts.abuse.threshold", Integer.toString(ABUSE_THRESHOLD))
                .property("spendsync.alerts.revoked-key-use.threshold", Integer.toString(REVOKED_KEY_USE_THRESHOLD))
                .property("spendsync.alerts.revoked-key-use.severity", "CRITICAL")
                .start();
        api = instance.api();
    }

    @AfterAll
    void stop() {
        instance.close();
    }

    @Test
    void abuseFiresWhenTheRateLimitedRefusalsOfOneKeyReachTheThresholdFromAnySource() {
        Key key = createKey(Map.of("rateLimit", Map.of("limit", 1, "windowSeconds", 3600)));
        String gateway = "gateway-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        assertThat(verify(key, gateway)).isEqualTo("VALID");
        verifyTimes(key, gateway, ABUSE_THRESHOLD - 2, "RATE_LIMITED");
        verifyTimes(key, other, 1, "RATE_LIMITED");
        flushRefusals();
        Instant belowThresholdRecorded = AlertListing.now();

        verifyTimes(key, gateway, 1, "RATE_LIMITED");
        flushRefusals();

        JsonNode alert = AlertListing.awaitAlert(api, "abuse:" + key.id());
        assertThat(alert.path("rule").asText()).isEqualTo("abuse");
        assertThat(alert.path("severity").asText()).isEqualTo("MEDIUM");
        assertThat(alert.path("subject").asText()).isEqualTo(key.id());
        assertThat(alert.path("keyId").asText()).isEqualTo(key.id());
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(key.prefix());
        assertThat(alert.path("detail").asText()).isEqualTo("5 verifications refused as rate limited within PT5M");
        // raised by the last batch alone: the two before it, one refusal short together, raised nothing
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowThresholdRecorded);
    }

    @Test
    void aRateLimitedRefusalIsAuditedUnderItsSourceNamingTheKey() {
        Key key = createKey(Map.of("rateLimit", Map.of("limit", 1, "windowSeconds", 3600)));
        String source = "audited-" + UUID.randomUUID();
        assertThat(verify(key, source)).isEqualTo("VALID");
        verifyTimes(key, source, 2, "RATE_LIMITED");

        flushRefusals();

        await().atMost(PROJECTION).untilAsserted(() -> {
            JsonNode items = api.get("/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=" + source).json()
                    .path("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).path("severity").asText()).isEqualTo("WARNING");
            assertThat(items.get(0).path("metadata").path("kind").asText()).isEqualTo(AccessFailures.RATE_LIMITED);
            assertThat(items.get(0).path("metadata").path("keyId").asText()).isEqualTo(key.id());
            assertThat(items.get(0).path("metadata").path("count").asLong()).isEqualTo(2);
        });
    }

    @Test
    void aCostAboveTheWholeLimitIsRateLimitedWithoutRetryAfterAndIsNotCountedAsARefusal() {
        Key key = createKey(Map.of("rateLimit", Map.of("limit", 2, "windowSeconds", 3600)));
        String source = "too-costly-" + UUID.randomUUID();

        List<Api.Reply> tooCostly = List.of(verify(key, source, 3), verify(key, source, 3));
        assertThat(verify(key, source, 2).text("code")).isEqualTo("VALID");
        Api.Reply limited = verify(key, source, 1);
        flushRefusals();

        assertThat(tooCostly).allSatisfy(reply -> {
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("code")).isEqualTo("RATE_LIMITED");
            assertThat(reply.header("Retry-After")).isNull();
        });
        assertThat(limited.header("Retry-After")).isNotNull();
        await().atMost(PROJECTION).untilAsserted(() -> {
            JsonNode items = api.get("/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=" + source).json()
                    .path("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).path("metadata").path("count").asLong()).isEqualTo(1);
        });
    }

    @Test
    void revokedKeyUseFiresWhenARevokedKeyIsPresentedAsOftenAsTheThreshold() {
        Key key = createKey(Map.of());
        assertThat(api.revoke(key.id()).status()).isEqualTo(200);
        awaitStatusInValidationView(key, ValidationViewKeys.STATUS_REVOKED);
        String source = "leaked-" + UUID.randomUUID();
        verifyTimes(key, source, REVOKED_KEY_USE_THRESHOLD - 1, "REVOKED");
        flushRefusals();
        Instant belowThresholdRecorded = AlertListing.now();

        verifyTimes(key, source, 1, "REVOKED");
        flushRefusals();

        JsonNode alert = AlertListing.awaitAlert(api, "revoked-key-use:" + key.id());
        assertThat(alert.path("severity").asText()).as("as configured").isEqualTo("CRITICAL");
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(key.prefix());
        assertThat(alert.path("detail").asText())
                .isEqualTo("3 verifications presented a revoked or expired secret of the key within PT5M");
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(Instant.parse(alert.path("firstSeen").asText())).isAfterOrEqualTo(belowThresholdRecorded);
    }

    @Test
    void anExpiredKeyPresentedAsOftenAsTheThresholdRaisesRevokedKeyUseToo() {
        Instant expiresAt = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
        Key key = createKey(Map.of("expiresAt", expiresAt.toString()));
        await().atMost(PROJECTION).until(() -> Instant.now().isAfter(expiresAt));

        verifyTimes(key, "late-" + UUID.randomUUID(), REVOKED_KEY_USE_THRESHOLD, "EXPIRED");
        flushRefusals();

        JsonNode alert = AlertListing.awaitAlert(api, "revoked-key-use:" + key.id());
        assertThat(alert.path("count").asLong()).isEqualTo(1);
        assertThat(alert.path("keyId").asText()).isEqualTo(key.id());
    }

    private record Key(String id, String prefix, ApiKeySecret secret) {
    }

    /** A key with {@code payments:read} and the given settings, once verification can see it. */
    private Key createKey(Map<String, Object> settings) {
        Map<String, Object> body = new HashMap<>(settings);
        body.putAll(Map.of("ownerId", "abuse-" + UUID.randomUUID(), "name", "watched",
                "permissions", List.of("payments:read")));
        Api.Reply created = api.createKey(body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Key key = new Key(created.text("keyId"), created.text("prefix"),
                ApiKeySecret.parse(created.text("key")).orElseThrow());
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        await().atMost(PROJECTION).until(() -> redis.hasKey(ValidationViewKeys.entry(key.secret().hash())));
        return key;
    }

    /** Waits without verifying, since every refused verification counts. */
    private void awaitStatusInValidationView(Key key, String status) {
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        await().atMost(PROJECTION).until(() -> status.equals(redis.opsForHash()
                .get(ValidationViewKeys.entry(key.secret().hash()), ValidationViewKeys.STATUS)));
    }

    private String verify(Key key, String source) {
        return api.post("/v1/keys/verify", Map.of("key", key.secret().reveal(), "permissions",
                List.of("payments:read"), "source", source)).text("code");
    }

    private Api.Reply verify(Key key, String source, int cost) {
        return api.post("/v1/keys/verify", Map.of("key", key.secret().reveal(), "permissions",
                List.of("payments:read"), "source", source, "cost", cost));
    }

    private void verifyTimes(Key key, String source, int times, String expectedCode) {
        for (int i = 0; i < times; i++) {
            assertThat(verify(key, source)).isEqualTo(expectedCode);
        }
    }

    private void flushRefusals() {
        instance.bean(AccessFailures.class).flush();
    }
}
