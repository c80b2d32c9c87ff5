package com.spendsync.allinone.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Root keys guard the management plane: 401 without a working one, 403 without the permission. */
@ExtendWith(SharedSpendSync.class)
class ManagementAuthTest {

    private static Api api;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        api = shared.api();
    }

    @Test
    void withoutACredentialTheAnswerIs401WithAChallenge() {
        Api.Reply reply = api.send("POST", "/v1/keys/verify", Map.of("key", "x"), null);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.text("type")).isEqualTo("urn:spendsync:problem:unauthenticated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-key", "bearer  "})
    void aCredentialThatIsNoRootKeyIs401(String authorization) {
        Api.Reply reply = api.sendWithAuthorization("POST", "/v1/keys/verify", Map.of("key", "x"), authorization);

        assertThat(reply.status()).isEqualTo(401);
    }

    @Test
    void aWellFormedKeyThatDoesNotExistIs401() {
        String unknown = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();

        assertThat(api.send("POST", "/v1/keys/verify", Map.of("key", "x"), unknown).status()).isEqualTo(401);
    }

    @Test
    void aRootKeyWithoutThePermissionIs403() {
        String readOnly = workingRootKey("keys:read");

        Api.Reply create = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "n",
                "permissions", List.of()), readOnly);
        Api.Reply verify = api.send("POST", "/v1/keys/verify", Map.of("key", "x"), readOnly);

        assertThat(create.status()).isEqualTo(403);
        assertThat(create.text("type")).isEqualTo("urn:spendsync:problem:forbidden");
        assertThat(verify.status()).isEqualTo(403);
    }

    @Test
    void aRootKeyCannotGrantManagementPermissionsItDoesNotHold() {
        String creator = workingRootKey("keys:create");

        Api.Reply escalation = api.send("POST", "/v1/keys", keyWith("keys:revoke"), creator);
        Api.Reply wildcard = api.send("POST", "/v1/keys", keyWith("*"), creator);
        Api.Reply customerKey = api.send("POST", "/v1/keys", keyWith("payments:read"), creator);
        Api.Reply sameLevel = api.send("POST", "/v1/keys", keyWith("keys:create"), creator);

        assertThat(escalation.status()).isEqualTo(403);
        assertThat(wildcard.status()).isEqualTo(403);
        assertThat(customerKey.status()).isEqualTo(201);
        assertThat(sameLevel.status()).isEqualTo(201);
    }

    @Test
    void aRevokedRootKeyStopsWorkingWithinTheCacheBound() {
        Api.Reply created = api.createKey(keyWith("keys:verify"));
        String gatewayKey = created.text("key");
        awaitStatus(gatewayKey, 200);

        api.revoke(created.text("keyId"));

        // the shared instance trusts a checked root key for 1 s (SPENDSYNC_ROOT_KEY_CACHE_TTL)
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(verifyAs(gatewayKey)).isEqualTo(401));
    }

    @Test
    void healthMetricsAndApiDocsNeedNoCredential() {
        assertThat(api.send("GET", "/actuator/health", null, null).status()).isEqualTo(200);
        assertThat(api.send("GET", "/actuator/prometheus", null, null).status()).isEqualTo(200);
        assertThat(api.send("GET", "/v3/api-docs", null, null).json().path("paths").has("/v1/keys/verify"))
                .isTrue();
    }

    @Test
    void healthReportsMongoRedisAndTheProcessorsToARootKeyHoldingAdminRead() {
        Api.Reply health = api.get("/actuator/health");

        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("components").path("mongo").path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("components").path("redis").path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("components").path("processors").path("details")
                .has("redis-validation-view")).isTrue();
    }

    private static String workingRootKey(String... permissions) {
        String key = api.createKey(keyWith(permissions)).text("key");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo("VALID"));
        return key;
    }

    private static void awaitStatus(String rootKey, int status) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(verifyAs(rootKey)).isEqualTo(status));
    }

    private static int verifyAs(String rootKey) {
        return api.send("POST", "/v1/keys/verify", Map.of("key", "x"), rootKey).status();
    }

    private static Map<String, Object> keyWith(String... permissions) {
        return Map.of("ownerId", "root-" + UUID.randomUUID(), "name", "root key", "permissions", List.of(permissions));
    }
}
