package com.spendsync.allinone.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole key lifecycle over HTTP, as a gateway and an operator see it. Runs against the embedded servers and,
 * where Docker exists, against real MongoDB and Redis images.
 */
public abstract class KeyLifecycleContract {

    private static final Duration PROJECTION = Duration.ofSeconds(10);

    protected abstract SpendSyncInstance instance();

    private Api api;
    private EventStoreProbe eventStore;

    @BeforeEach
    void connect() {
        api = instance().api();
        eventStore = new EventStoreProbe(instance().mongoUri());
    }

    @AfterEach
    void disconnect() {
        eventStore.close();
    }

    @Test
    void aCreatedKeyVerifiesWithItsOwnerAndPermissions() {
        Api.Reply created = api.createKey(keyRequest("payments:read", "payments:write"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/v1/keys/" + created.text("keyId"));
        assertThat(created.text("key")).startsWith("ss_live_").hasSize(57);
        assertThat(created.text("prefix")).isEqualTo(created.text("key").substring(0, 12));
        assertThat(created.text("status")).isEqualTo("active");
        Api.Reply verified = awaitCode(created.text("key"), "VALID", "payments:read");
        assertThat(verified.json().path("valid").asBoolean()).isTrue();
        assertThat(verified.text("keyId")).isEqualTo(created.text("keyId"));
        assertThat(verified.text("ownerId")).isEqualTo(created.text("ownerId"));
        assertThat(verified.json().path("permissions").toString()).contains("payments:read", "payments:write");
        assertThat(eventStore.lifecycleTypesOf(created.text("keyId"))).containsExactly("ApiKeyCreatedEvent");
    }

    @Test
    void aTestEnvironmentKeyKeepsItsEnvironmentThroughRotation() {
        Map<String, Object> request = keyRequest();
        request.put("environment", "test");
        Api.Reply created = api.createKey(request);
        assertThat(created.text("key")).startsWith("ss_test_");
        awaitCode(created.text("key"), "VALID");

        assertThat(api.rotate(created.text("keyId"), 0L).text("key")).startsWith("ss_test_");
    }

    @Test
    void bothSecretsWorkDuringTheGracePeriodAndOnlyTheNewOneAfterIt() {
        Api.Reply created = api.createKey(keyRequest());
        String oldKey = created.text("key");
        awaitCode(oldKey, "VALID");

        Api.Reply rotated = api.rotate(created.text("keyId"), 2L);

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.text("keyId")).isEqualTo(created.text("keyId"));
        String newKey = rotated.text("key");
        assertThat(newKey).isNotEqualTo(oldKey);
        Instant graceEnd = Instant.parse(rotated.text("previousKeyExpiresAt"));
        awaitCode(newKey, "VALID");
        Api.Reply old = api.verify(oldKey);
        assertThat(old.text("code")).isEqualTo("VALID");
        assertThat(Instant.parse(old.text("rotationGraceUntil"))).isEqualTo(graceEnd.truncatedTo(ChronoUnit.MILLIS));

        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(graceEnd));
        assertThat(api.verify(oldKey).text("code")).isEqualTo("EXPIRED");
        assertThat(api.verify(newKey).text("code")).isEqualTo("VALID");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(eventStore.lifecycleTypesOf(created.text("keyId")))
                .containsExactly("ApiKeyCreatedEvent", "ApiKeyRotatedEvent", "ApiKeyRotationGraceEndedEvent"));
    }

    @Test
    void rotatingAgainDuringGraceEndsTheOlderGraceAtOnce() {
        Api.Reply created = api.createKey(keyRequest());
        String first = created.text("key");
        awaitCode(first, "VALID");
        String second = api.rotate(created.text("keyId"), 3600L).text("key");
        awaitCode(second, "VALID");

        String third = api.rotate(created.text("keyId"), 3600L).text("key");

        awaitCode(third, "VALID");
        awaitCode(first, "EXPIRED");
        assertThat(api.verify(second).text("code")).isEqualTo("VALID");
    }

    @Test
    void revocationStopsTheCurrentAndThePreviousSecret() {
        Api.Reply created = api.createKey(keyRequest());
        String oldKey = created.text("key");
        awaitCode(oldKey, "VALID");
        String newKey = api.rotate(created.text("keyId"), 3600L).text("key");
        awaitCode(newKey, "VALID");

        Api.Reply revoked = api.revoke(created.text("keyId"));

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.text("status")).isEqualTo("revoked");
        awaitCode(newKey, "REVOKED");
        assertThat(api.verify(oldKey).text("code")).isEqualTo("REVOKED");
        Api.Reply revokedAgain = api.revoke(created.text("keyId"));
        assertThat(revokedAgain.status()).isEqualTo(409);
        assertThat(revokedAgain.text("type")).isEqualTo("urn:spendsync:problem:state-conflict");
        assertThat(revokedAgain.text("title")).isEqualTo("Conflict with the key's state");
        assertThat(api.rotate(created.text("keyId"), null).status()).isEqualTo(409);
        assertThat(api.patch("/v1/keys/" + created.text("keyId"), Map.of("name", "renamed")).status())
                .isEqualTo(409);
    }

    @Test
    void aKeyExpiresAtItsInstantAndTheExpiryIsRecorded() {
        Instant expiresAt = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        Map<String, Object> request = keyRequest();
        request.put("expiresAt", expiresAt.toString());
        Api.Reply created = api.createKey(request);
        Api.Reply valid = awaitCode(created.text("key"), "VALID");
        assertThat(valid.text("expiresAt")).isEqualTo(expiresAt.toString());

        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiresAt));

        // verification applies the instant itself, whatever the background sweep has done so far
        assertThat(api.verify(created.text("key")).text("code")).isEqualTo("EXPIRED");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(eventStore.lifecycleTypesOf(created.text("keyId")))
                .containsExactly("ApiKeyCreatedEvent", "ApiKeyExpiredEvent"));
        assertThat(api.rotate(created.text("keyId"), null).status()).isEqualTo(409);
    }

    @Test
    void missingPermissionsAreRefusedAndWildcardsGrant() {
        Api.Reply created = api.createKey(keyRequest("payments:*"));
        awaitCode(created.text("key"), "VALID");

        assertThat(api.verify(created.text("key"), "payments:refund").text("code")).isEqualTo("VALID");
        Api.Reply refused = api.verify(created.text("key"), "payments:read", "ledger:read");
        assertThat(refused.text("code")).isEqualTo("INSUFFICIENT_PERMISSIONS");
        assertThat(refused.json().path("valid").asBoolean()).isFalse();
    }

    @Test
    void theRateLimitAnswersWithHeadersAndRecovers() {
        Map<String, Object> request = keyRequest();
        request.put("rateLimit", Map.of("limit", 2, "windowSeconds", 2));
        Api.Reply created = api.createKey(request);
        String key = created.text("key");
        Api.Reply first = awaitCode(key, "VALID");
        assertThat(first.header("RateLimit-Policy")).isEqualTo("\"default\";q=2;w=2");
        assertThat(first.header("RateLimit")).startsWith("\"default\";r=1;t=");

        Api.Reply second = api.verify(key);
        Api.Reply limited = api.verify(key);

        assertThat(second.text("code")).isEqualTo("VALID");
        assertThat(second.json().path("ratelimit").path("remaining").asInt()).isZero();
        assertThat(limited.status()).isEqualTo(200);
        assertThat(limited.text("code")).isEqualTo("RATE_LIMITED");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 2);
        assertThat(limited.header("RateLimit")).startsWith("\"default\";r=0;");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo("VALID"));
    }

    @Test
    void theCostOfACallIsTakenFromTheLimit() {
        Map<String, Object> request = keyRequest();
        request.put("rateLimit", Map.of("limit", 10, "windowSeconds", 3600));
        String key = api.createKey(request).text("key");
        awaitCode(key, "VALID");

        Api.Reply costly = api.post("/v1/keys/verify", Map.of("key", key, "cost", 5));

        assertThat(costly.json().path("ratelimit").path("remaining").asInt()).isEqualTo(4);
        assertThat(api.post("/v1/keys/verify", Map.of("key", key, "cost", 5)).text("code"))
                .isEqualTo("RATE_LIMITED");
    }

    @Test
    void anUpdateChangesWhatVerificationSees() {
        Api.Reply created = api.createKey(keyRequest("payments:read"));
        String key = created.text("key");
        awaitCode(key, "VALID", "payments:read");

        Api.Reply updated = api.patch("/v1/keys/" + created.text("keyId"),
                Map.of("permissions", List.of("ledger:read"), "name", "renamed"));

        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.text("name")).isEqualTo("renamed");
        assertThat(updated.json().path("usage").path("total").isNumber()).as("the key view shape").isTrue();
        assertThat(updated.json().path("permissions").toString()).isEqualTo("[\"ledger:read\"]");
        awaitCode(key, "VALID", "ledger:read");
        assertThat(api.verify(key, "payments:read").text("code")).isEqualTo("INSUFFICIENT_PERMISSIONS");
    }

    @Test
    void aWellFormedButUnknownKeyIsNotFound() {
        String unknown = com.spendsync.api.keyformat.ApiKeySecret.generate(
                com.spendsync.api.keyformat.KeyEnvironment.LIVE, new java.security.SecureRandom()).reveal();

        Api.Reply reply = api.verify(unknown);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text("code")).isEqualTo("NOT_FOUND");
        assertThat(reply.json().has("keyId")).isFalse();
    }

    @Test
    void commandsOnAnUnknownKeyAnswer404() {
        String unknownId = "key_" + "0".repeat(22);

        assertThat(api.rotate(unknownId, null).status()).isEqualTo(404);
        assertThat(api.revoke(unknownId).status()).isEqualTo(404);
        assertThat(api.patch("/v1/keys/" + unknownId, Map.of("name", "x")).status()).isEqualTo(404);
        assertThat(api.rotate("not-a-key-id", null).status()).isEqualTo(404);
    }

    @Test
    void everyEventNamesTheRootKeyThatCausedIt() {
        Api.Reply created = api.createKey(keyRequest());
        api.revoke(created.text("keyId"));

        assertThat(eventStore.eventsOf(created.text("keyId")))
                .extracting(event -> org.bson.Document.parse(event.getString("serializedMetaData")).getString("actor"))
                .containsOnly("key_bootstrapRootKey000000");
    }

    protected Api.Reply awaitCode(String key, String code, String... requiredPermissions) {
        Api.Reply[] last = new Api.Reply[1];
        await().atMost(PROJECTION).untilAsserted(() -> {
            last[0] = api.verify(key, (Object[]) requiredPermissions);
            assertThat(last[0].text("code")).isEqualTo(code);
        });
        return last[0];
    }

    protected static Map<String, Object> keyRequest(String... permissions) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("ownerId", "owner-" + UUID.randomUUID());
        request.put("name", "integration test key");
        request.put("permissions", List.of(permissions));
        return request;
    }
}
