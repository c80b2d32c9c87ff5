package com.spendsync.allinone.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.platform.security.AccessFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The authority rule over HTTP, endpoint by endpoint, as an attacker holding a weak root key would try it: no key
 * takes power it does not hold, a scoped key sees nothing outside its owners, a test key nothing of live keys.
 */
@ExtendWith(SharedSpendSync.class)
class KeyAuthorityTest {

    private static final String BOOTSTRAP_KEY_ID = "key_bootstrapRootKey000000";

    private static SpendSyncInstance instance;
    private static Api api;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
        api = shared.api();
    }

    /** Rule 1b: a caller acts only on keys whose management power it holds too. */
    @Nested
    class StrongerKeys {

        @Test
        void aKeysRotateKeyCannotRotateTheBootstrapKeyAndGetsNoSecret() {
            RootKey rotator = RootKey.create("keys:rotate");

            Api.Reply reply = api.send("POST", "/v1/keys/" + BOOTSTRAP_KEY_ID + "/rotate",
                    Map.of("gracePeriodSeconds", 0), rotator.secret);

            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.json().has("key")).isFalse();
            assertThat(reply.text("detail")).contains("*");
            assertThat(api.verify(instance.rootKey().reveal()).text("code")).isEqualTo("VALID");
        }

        @Test
        void aKeysUpdateKeyCannotStripWidenOrUnexpireAStrongerKey() {
            RootKey stronger = RootKey.create("*");
            RootKey updater = RootKey.create("keys:update");

            for (Map<String, Object> change : List.<Map<String, Object>>of(Map.of("permissions", List.of()),
                    Map.of("name", "mine now"), new HashMap<>(Map.of("permissions", List.of("keys:update"))))) {
                Api.Reply reply = api.send("PATCH", "/v1/keys/" + stronger.keyId, change, updater.secret);
                assertThat(reply.status()).as(change.toString()).isEqualTo(403);
            }
            awaitKeyView(stronger.keyId);
            assertThat(api.get("/v1/keys/" + stronger.keyId).json().path("permissions").get(0).asText())
                    .isEqualTo("*");
        }

        @Test
        void aKeysRevokeKeyCannotRevokeAStrongerKey() {
            RootKey stronger = RootKey.create("keys:*");
            RootKey revoker = RootKey.create("keys:revoke");

            Api.Reply reply = api.send("POST", "/v1/keys/" + stronger.keyId + "/revoke", Map.of("reason", "x"),
                    revoker.secret);
            Api.Reply bootstrap = api.send("POST", "/v1/keys/" + BOOTSTRAP_KEY_ID + "/revoke",
                    Map.of("reason", "x"), revoker.secret);

            assertThat(reply.status()).isEqualTo(403);
            assertThat(bootstrap.status()).isEqualTo(403);
            assertThat(api.verify(stronger.secret).text("code")).isEqualTo("VALID");
        }

        @Test
        void aKeysStarKeyMayRotateAKeysRotateKeyButNotAStarKey() {
            RootKey keysStar = RootKey.create("keys:*");
            RootKey weaker = RootKey.create("keys:rotate");
            RootKey star = RootKey.create("*");

            assertThat(api.send("POST", "/v1/keys/" + weaker.keyId + "/rotate", Map.of("gracePeriodSeconds", 0),
                    keysStar.secret).status()).isEqualTo(200);
            assertThat(api.send("POST", "/v1/keys/" + star.keyId + "/rotate", Map.of("gracePeriodSeconds", 0),
                    keysStar.secret).status()).isEqualTo(403);
        }

        @Test
        void aKeysReadKeyCannotReadAStrongerKeyNorItsHistoryAndListingsLeaveItOut() {
            RootKey reader = RootKey.create("keys:read");
            String owner = "owner-" + UUID.randomUUID();
            RootKey stronger = RootKey.createFor(owner, null, "keys:create");
            String customerKey = api.createKey(Map.of("ownerId", owner, "name", "customer",
                    "permissions", List.of("payments:read"))).text("keyId");
            awaitKeyView(customerKey);
            awaitKeyView(stronger.keyId);

            assertThat(api.send("GET", "/v1/keys/" + stronger.keyId, null, reader.secret).status()).isEqualTo(403);
            assertThat(api.send("GET", "/v1/keys/" + stronger.keyId + "/events", null, reader.secret).status())
                    .isEqualTo(403);
            assertThat(api.send("GET", "/v1/keys/" + stronger.keyId + "/state?at=2100-01-01T00:00:00Z", null,
                    reader.secret).status()).isEqualTo(403);
            assertThat(keyIdsListed("/v1/keys?ownerId=" + owner, reader.secret)).containsExactly(customerKey);
        }

        @Test
        void anExpiringRootKeyCannotLiftItsOwnExpiryNorCreateARootKeyThatOutlivesIt() {
            String in1Hour = java.time.Instant.now().plusSeconds(3600).toString();
            Api.Reply created = api.createKey(Map.of("ownerId", "temp-" + UUID.randomUUID(), "name", "temporary",
                    "permissions", List.of("keys:create", "keys:update", "keys:read"), "expiresAt", in1Hour));
            awaitValid(created.text("key"));
            String temporary = created.text("key");
            awaitKeyView(created.text("keyId"));

            Map<String, Object> noExpiry = new HashMap<>();
            noExpiry.put("expiresAt", null);
            Api.Reply lifted = api.send("PATCH", "/v1/keys/" + created.text("keyId"), noExpiry, temporary);
            Api.Reply copy = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "copy",
                    "permissions", List.of("keys:create")), temporary);
            Api.Reply customerKey = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "customer",
                    "permissions", List.of("payments:read")), temporary);

            assertThat(lifted.status()).isEqualTo(403);
            assertThat(copy.status()).isEqualTo(403);
            assertThat(copy.json().has("key")).isFalse();
            assertThat(customerKey.status()).isEqualTo(201);
        }

        @Test
        void listingPagesNeverNameAKeyTheReaderMayNotRead() {
            RootKey reader = RootKey.create("keys:read");
            String owner = "owner-" + UUID.randomUUID();
            RootKey hidden = RootKey.createFor(owner, null, "keys:create");
            awaitKeyView(hidden.keyId);

            Api.Reply page = api.send("GET", "/v1/keys?limit=1&ownerId=" + owner, null, reader.secret);

            assertThat(page.json().path("items")).isEmpty();
            assertThat(page.json().path("nextCursor").isNull()).isTrue();
        }

        @Test
        void aKeyCannotCreateAKeyWithStarWhenItHoldsEveryManagementPermissionByName() {
            RootKey allByName = RootKey.create("keys:create", "keys:rotate", "keys:revoke", "keys:update",
                    "keys:read", "keys:verify", "audit:read", "alerts:read", "admin:replay", "admin:read");

            Api.Reply reply = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "n",
                    "permissions", List.of("*")), allByName.secret);

            assertThat(reply.status()).isEqualTo(403);
        }

        @Test
        void anAttemptOnAStrongerKeyRaisesAPrivilegeChangeAlert() {
            RootKey stronger = RootKey.create("*");
            RootKey rotator = RootKey.create("keys:rotate");

            api.send("POST", "/v1/keys/" + stronger.keyId + "/rotate", Map.of(), rotator.secret);
            instance.bean(AccessFailures.class).flush();

            JsonNode alert = AlertListing.awaitAlert(api, "privilege-change:" + stronger.keyId + ":refused",
                    found -> found.path("detail").asText().contains(rotator.keyId), "naming the caller");
            assertThat(alert.path("keyId").asText()).isEqualTo(stronger.keyId);
        }
    }

    /** Rule 2: a scoped root key acts on the keys of its owners only, and learns nothing of the others. */
    @Nested
    class Scope {

        private final String tenant = "tenant-" + UUID.randomUUID().toString().substring(0, 8);
        private final String otherOwner = "other-" + UUID.randomUUID();

        @Test
        void aScopedKeyCreatesKeysOnlyForItsOwnersAndNeverWiderRootKeys() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "keys:*");

            Api.Reply inside = api.send("POST", "/v1/keys", key(tenant + "-eu", "payments:read"), admin.secret);
            Api.Reply outside = api.send("POST", "/v1/keys", key(otherOwner, "payments:read"), admin.secret);
            Api.Reply inherits = api.send("POST", "/v1/keys", key(tenant, "keys:verify"), admin.secret);
            Map<String, Object> wider = new HashMap<>(key(tenant, "keys:verify"));
            wider.put("scope", Map.of("owners", List.of("t*")));
            Api.Reply widerScope = api.send("POST", "/v1/keys", wider, admin.secret);

            assertThat(inside.status()).isEqualTo(201);
            assertThat(outside.status()).isEqualTo(403);
            assertThat(outside.json().has("key")).isFalse();
            assertThat(inherits.status()).isEqualTo(201);
            assertThat(inherits.json().path("scope").path("owners").get(0).asText()).isEqualTo(tenant + "*");
            assertThat(widerScope.status()).isEqualTo(403);
        }

        @Test
        void aKeyOutsideTheScopeAnswers404OnEveryEndpointAndIsNotChanged() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "keys:*");
            String foreign = api.createKey(key(otherOwner, "payments:read")).text("keyId");
            awaitKeyView(foreign);
            String unknown = "key_" + "0".repeat(22);

            List<Api.Reply> replies = List.of(
                    api.send("GET", "/v1/keys/" + foreign, null, admin.secret),
                    api.send("GET", "/v1/keys/" + foreign + "/events", null, admin.secret),
                    api.send("GET", "/v1/keys/" + foreign + "/state?at=2100-01-01T00:00:00Z", null, admin.secret),
                    api.send("POST", "/v1/keys/" + foreign + "/rotate", Map.of(), admin.secret),
                    api.send("POST", "/v1/keys/" + foreign + "/revoke", Map.of("reason", "x"), admin.secret),
                    api.send("PATCH", "/v1/keys/" + foreign, Map.of("name", "x"), admin.secret));
            Api.Reply missing = api.send("GET", "/v1/keys/" + unknown, null, admin.secret);

            for (Api.Reply reply : replies) {
                assertThat(reply.status()).as(reply.toString()).isEqualTo(404);
                assertThat(reply.text("detail")).isEqualTo(missing.text("detail"));
                assertThat(reply.json().has("key")).isFalse();
            }
            JsonNode view = api.get("/v1/keys/" + foreign).json();
            assertThat(view.path("status").asText()).isEqualTo("active");
            assertThat(view.path("name").asText()).isEqualTo("key");
        }

        @Test
        void listingsFilterToTheScopeSilently() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "keys:*");
            String mine = api.createKey(key(tenant + "-a", "payments:read")).text("keyId");
            awaitKeyView(mine);
            awaitKeyView(api.createKey(key(otherOwner, "payments:read")).text("keyId"));

            assertThat(keyIdsListed("/v1/keys?limit=200", admin.secret)).contains(mine)
                    .allSatisfy(keyId -> assertThat(api.get("/v1/keys/" + keyId).text("ownerId")).startsWith(tenant));
            assertThat(keyIdsListed("/v1/keys?ownerId=" + otherOwner, admin.secret)).isEmpty();
        }

        @Test
        void aScopedGatewayVerifiesOnlyKeysOfItsScope() {
            RootKey gateway = RootKey.createFor("gw-" + tenant, List.of(tenant), "keys:verify");
            String mine = api.createKey(key(tenant, "payments:read")).text("key");
            String foreign = api.createKey(key(otherOwner, "payments:read")).text("key");
            awaitValid(mine);
            awaitValid(foreign);

            Api.Reply inside = api.send("POST", "/v1/keys/verify", Map.of("key", mine), gateway.secret);
            Api.Reply outside = api.send("POST", "/v1/keys/verify", Map.of("key", foreign), gateway.secret);

            assertThat(inside.text("code")).isEqualTo("VALID");
            assertThat(outside.text("code")).isEqualTo("NOT_FOUND");
            assertThat(outside.json().has("keyId")).isFalse();
            assertThat(outside.json().has("ownerId")).isFalse();
        }

        @Test
        void aScopedReaderSeesOnlyTheAuditEntriesOfItsOwnersAndOfItsOwnActions() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "keys:*", "audit:read");
            String mine = api.createKey(key(tenant + "-b", "payments:read")).text("keyId");
            String foreign = api.createKey(key(otherOwner, "payments:read")).text("keyId");
            await().atMost(Duration.ofSeconds(10)).until(() -> auditEntries("resourceId=" + foreign, null).size() > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> auditEntries("resourceId=" + mine, null).size() > 0);

            assertThat(auditEntries("resourceId=" + mine, admin.secret)).isNotEmpty();
            assertThat(auditEntries("resourceId=" + foreign, admin.secret)).isEmpty();
            assertThat(auditEntries("limit=200", admin.secret))
                    .allSatisfy(entry -> assertThat(entry.path("userId").asText().startsWith(tenant)
                            || entry.path("actor").asText().equals(admin.keyId)).as(entry.toString()).isTrue());
            await().atMost(Duration.ofSeconds(10)).until(() -> auditEntries("eventType=AuditLogRead&actor="
                    + admin.keyId, admin.secret).size() > 0);
        }

        @Test
        void aScopedReaderSeesOnlyTheAlertsAboutItsKeys() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "keys:*", "alerts:read");
            String mine = api.createKey(key(tenant + "-c", "keys:verify")).text("keyId");
            String foreign = api.createKey(key(otherOwner, "keys:verify")).text("keyId");
            AlertListing.awaitAlert(api, "privilege-change:" + mine);
            AlertListing.awaitAlert(api, "privilege-change:" + foreign);

            List<String> seen = StreamSupport.stream(api.send("GET", "/v1/alerts?limit=200", null, admin.secret)
                    .json().path("items").spliterator(), false).map(alert -> alert.path("alertId").asText()).toList();

            assertThat(seen).contains("privilege-change:" + mine).doesNotContain("privilege-change:" + foreign)
                    .allSatisfy(alertId -> assertThat(alertId).doesNotStartWith("brute-force:"));
        }

        @Test
        void aScopedKeyCannotUseInstallationWideOperations() {
            RootKey admin = RootKey.createFor("admin-" + tenant, List.of(tenant + "*"), "*");

            assertThat(api.send("GET", "/v1/admin/projections", null, admin.secret).status()).isEqualTo(403);
            assertThat(api.send("GET", "/v1/admin/projections/reconciliation", null, admin.secret).status())
                    .isEqualTo(403);
        }

        @Test
        void aScopeIsShownNarrowedByPatchAndARootKeyScopeChangeRaisesAnAlert() {
            RootKey gateway = RootKey.createFor("gw-" + tenant, List.of(tenant + "*"), "keys:verify");

            Api.Reply narrowed = api.patch("/v1/keys/" + gateway.keyId,
                    Map.of("scope", Map.of("owners", List.of(tenant + "-eu"))));

            assertThat(narrowed.status()).isEqualTo(200);
            assertThat(narrowed.json().path("scope").path("owners").size()).as(narrowed.toString()).isEqualTo(1);
            assertThat(narrowed.json().path("scope").path("owners").get(0).asText()).isEqualTo(tenant + "-eu");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    api.get("/v1/keys/" + gateway.keyId).json().path("scope").path("owners").path(0).asText())
                    .isEqualTo(tenant + "-eu"));
            AlertListing.awaitAlert(api, "privilege-change:" + gateway.keyId,
                    alert -> alert.path("detail").asText().contains("scope"), "about the scope");
        }

        private Map<String, Object> key(String ownerId, String... permissions) {
            return Map.of("ownerId", ownerId, "name", "key", "permissions", List.of(permissions));
        }
    }

    /** Rule 3: test root keys manage and verify test keys only. */
    @Nested
    class TestAndLive {

        @Test
        void aTestRootKeyCreatesTestKeysWhateverItAsks() {
            RootKey testAdmin = RootKey.createTest("keys:*");

            Api.Reply created = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "n",
                    "permissions", List.of(), "environment", "live"), testAdmin.secret);

            assertThat(created.status()).isEqualTo(201);
            assertThat(created.text("key")).startsWith("ss_test_");
            assertThat(created.text("environment")).isEqualTo("test");
        }

        @Test
        void aTestRootKeyCannotManageNorVerifyALiveKey() {
            RootKey testAdmin = RootKey.createTest("keys:*");
            Api.Reply live = api.createKey(Map.of("ownerId", "o", "name", "n", "permissions", List.of()));
            awaitValid(live.text("key"));
            awaitKeyView(live.text("keyId"));

            Api.Reply rotate = api.send("POST", "/v1/keys/" + live.text("keyId") + "/rotate", Map.of(),
                    testAdmin.secret);
            Api.Reply read = api.send("GET", "/v1/keys/" + live.text("keyId"), null, testAdmin.secret);
            Api.Reply verify = api.send("POST", "/v1/keys/verify", Map.of("key", live.text("key")),
                    testAdmin.secret);

            assertThat(rotate.status()).isEqualTo(403);
            assertThat(rotate.json().has("key")).isFalse();
            assertThat(read.status()).isEqualTo(403);
            assertThat(verify.text("code")).isEqualTo("NOT_FOUND");
            assertThat(keyIdsListed("/v1/keys?limit=200", testAdmin.secret)).doesNotContain(live.text("keyId"));
        }

        @Test
        void aTestRootKeyManagesATestKey() {
            RootKey testAdmin = RootKey.createTest("keys:*");
            Api.Reply created = api.send("POST", "/v1/keys", Map.of("ownerId", "o", "name", "n",
                    "permissions", List.of()), testAdmin.secret);
            awaitValid(created.text("key"));

            assertThat(api.send("POST", "/v1/keys/verify", Map.of("key", created.text("key")), testAdmin.secret)
                    .text("code")).isEqualTo("VALID");
            assertThat(api.send("POST", "/v1/keys/" + created.text("keyId") + "/revoke", Map.of("reason", "done"),
                    testAdmin.secret).status()).isEqualTo(200);
        }
    }

    /** Rule 4: power over the management plane moving is always alerted. */
    @Nested
    class PrivilegeChangeAlerts {

        @Test
        void rotatingOrRevokingARootKeyRaisesAnAlert() {
            RootKey rotated = RootKey.create("keys:verify");
            RootKey revoked = RootKey.create("keys:verify");

            api.rotate(rotated.keyId, 0L);
            api.revoke(revoked.keyId);

            AlertListing.awaitAlert(api, "privilege-change:" + rotated.keyId,
                    alert -> alert.path("detail").asText().contains("rotated"), "about the rotation");
            AlertListing.awaitAlert(api, "privilege-change:" + revoked.keyId,
                    alert -> alert.path("detail").asText().contains("revoked"), "about the revocation");
        }
    }

    /** Item 8: health tells anyone its status, and its parts only to a root key holding admin:read. */
    @Nested
    class Health {

        @Test
        void withoutACredentialHealthSaysOnlyItsStatus() {
            JsonNode health = api.send("GET", "/actuator/health", null, null).json();

            assertThat(health.path("status").asText()).isEqualTo("UP");
            List<String> fields = new ArrayList<>();
            health.fieldNames().forEachRemaining(fields::add);
            // the names of Kubernetes' probe groups, which anyone may call; no component
            assertThat(fields).containsExactly("status", "groups");
            assertThat(health.path("groups").toString()).isEqualTo("[\"liveness\",\"readiness\"]");
            assertThat(api.send("GET", "/actuator/health/redis", null, null).status()).isEqualTo(404);
        }

        @Test
        void theProbeGroupsAnswerAnyoneWithTheirStatusOnly() {
            for (String probe : List.of("liveness", "readiness")) {
                Api.Reply reply = api.send("GET", "/actuator/health/" + probe, null, null);
                assertThat(reply.status()).as(probe).isEqualTo(200);
                List<String> fields = new ArrayList<>();
                reply.json().fieldNames().forEachRemaining(fields::add);
                assertThat(fields).as(probe).containsExactly("status");
                assertThat(reply.text("status")).isEqualTo("UP");
            }
        }

        @Test
        void aRootKeyHoldingAdminReadSeesTheComponents() {
            RootKey operator = RootKey.create("admin:read");

            JsonNode health = api.send("GET", "/actuator/health", null, operator.secret).json();

            assertThat(health.path("components").path("redis").path("status").asText()).isEqualTo("UP");
            assertThat(health.path("components").path("processors").path("details").has("redis-validation-view"))
                    .isTrue();
        }

        @Test
        void aPresentedCredentialMustBeValidAndHoldAdminRead() {
            RootKey reader = RootKey.create("keys:read");

            assertThat(api.send("GET", "/actuator/health", null, reader.secret).status()).isEqualTo(403);
            assertThat(api.sendWithAuthorization("GET", "/actuator/health", null, "Bearer nonsense").status())
                    .isEqualTo(401);
        }
    }

    private static List<String> keyIdsListed(String path, String bearer) {
        Api.Reply reply = api.send("GET", path, null, bearer);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return StreamSupport.stream(reply.json().path("items").spliterator(), false)
                .map(item -> item.path("keyId").asText()).toList();
    }

    private static List<JsonNode> auditEntries(String query, String bearer) {
        Api.Reply reply = bearer == null ? api.get("/v1/audit-logs?" + query)
                : api.send("GET", "/v1/audit-logs?" + query, null, bearer);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return StreamSupport.stream(reply.json().path("items").spliterator(), false).toList();
    }

    private static void awaitKeyView(String keyId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/keys/" + keyId).status() == 200);
    }

    private static void awaitValid(String key) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo("VALID"));
    }

    /** A root key created by the bootstrap key, working once the validation view has it. */
    private record RootKey(String keyId, String secret) {

        static RootKey create(String... permissions) {
            return createFor("root-" + UUID.randomUUID(), null, permissions);
        }

        static RootKey createFor(String ownerId, List<String> scope, String... permissions) {
            Map<String, Object> body = new HashMap<>(Map.of("ownerId", ownerId, "name", "root key",
                    "permissions", List.of(permissions)));
            if (scope != null) {
                body.put("scope", Map.of("owners", scope));
            }
            return working(api.createKey(body));
        }

        static RootKey createTest(String... permissions) {
            return working(api.createKey(Map.of("ownerId", "test-" + UUID.randomUUID(), "name", "test root key",
                    "permissions", List.of(permissions), "environment", "test")));
        }

        private static RootKey working(Api.Reply created) {
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            awaitValid(created.text("key"));
            return new RootKey(created.text("keyId"), created.text("key"));
        }
    }
}
