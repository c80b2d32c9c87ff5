package com.spendsync.allinone.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.config.SpendSyncProperties;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a clear RFC 9457 problem ({@code application/problem+json} with type, title, status, detail,
 * instance, and {@code errors: [{field, message}]} naming the field at fault), and nothing is stored or changed.
 * Every endpoint is tried with malformed JSON, wrong types, unknown fields, each limit of the contract (at the limit:
 * accepted; one past it: refused), an oversized body, and missing or weak credentials.
 */
@ExtendWith(SharedSpendSync.class)
class BadInputTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String TYPE_BASE = "urn:spendsync:problem:";
    /** The contract's caps, and the settings the service must run with for them ({@code spendsync-defaults}). */
    private static final Duration MAX_ROTATION_GRACE = Duration.ofDays(90);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int MAX_METADATA_BYTES = 8 * 1024;
    private static final Duration PROJECTION = Duration.ofSeconds(10);

    /** Well formed, never stored: verification answers NOT_FOUND, authentication answers 401. */
    private static final String UNKNOWN_KEY = newSecret();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static SpendSyncInstance instance;
    private static Api api;
    private static EventStoreProbe eventStore;
    private static String rootKey;
    /** An existing key that every refused rotate, revoke and update names, and that must stay as it is. */
    private static String targetKeyId;
    /** Working root keys: one holding only {@code keys:read}, one only {@code keys:create}. */
    private static String readOnlyRootKey;
    private static String createOnlyRootKey;
    /** A root key holding {@code *} that has been revoked. */
    private static String revokedRootKey;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
        api = shared.api();
        rootKey = shared.rootKey().reveal();
        eventStore = new EventStoreProbe(shared.mongoUri());
        SpendSyncProperties properties = shared.bean(SpendSyncProperties.class);
        assertThat(properties.maxRotationGrace()).isEqualTo(MAX_ROTATION_GRACE);
        assertThat(properties.maxRequestBodyBytes()).isEqualTo(MAX_BODY_BYTES);

        targetKeyId = createKey(List.of("payments:read")).text("keyId");
        readOnlyRootKey = workingRootKey("keys:read");
        createOnlyRootKey = workingRootKey("keys:create");

        Api.Reply revoked = createKey(List.of("*"));
        assertThat(api.revoke(revoked.text("keyId")).status()).isEqualTo(200);
        revokedRootKey = revoked.text("key");
        await().atMost(PROJECTION).untilAsserted(
                () -> assertThat(api.verify(revokedRootKey).text("code")).isEqualTo("REVOKED"));
    }

    @AfterAll
    static void disconnect() {
        if (eventStore != null) {
            eventStore.close();
        }
    }

    // ---------------------------------------------------------------- the endpoints

    enum Endpoint {
        CREATE("POST", "/v1/keys", "ApiKeyCreatedEvent"),
        ROTATE("POST", "/v1/keys/{keyId}/rotate", "ApiKeyRotatedEvent"),
        REVOKE("POST", "/v1/keys/{keyId}/revoke", "ApiKeyRevokedEvent"),
        UPDATE("PATCH", "/v1/keys/{keyId}", "ApiKeyUpdatedEvent"),
        VERIFY("POST", "/v1/keys/verify", null);

        final String method;
        final String pathTemplate;
        /** The event an accepted call appends to the key's history; verification appends none. */
        final String event;

        Endpoint(String method, String pathTemplate, String event) {
            this.method = method;
            this.pathTemplate = pathTemplate;
            this.event = event;
        }

        String path(String keyId) {
            return pathTemplate.replace("{keyId}", keyId);
        }

        boolean namesAKey() {
            return pathTemplate.contains("{keyId}");
        }

        /** A body this endpoint accepts, so that only the thing under test can be at fault. */
        String validBody() {
            return switch (this) {
                case CREATE -> json(createBody());
                case ROTATE -> json(Map.of("gracePeriodSeconds", 60));
                case REVOKE -> json(Map.of("reason", "bad input test"));
                case UPDATE -> json(Map.of("name", "renamed by bad input test"));
                case VERIFY -> json(Map.of("key", UNKNOWN_KEY));
            };
        }
    }

    /** A request that must be refused with 400 naming {@code field} (null: the body as a whole is at fault). */
    record Refused(String label, Endpoint endpoint, String body, String field) {
        @Override
        public String toString() {
            return endpoint + ": " + label + " -> 400 " + (field == null ? "(body)" : field);
        }
    }

    /** A request at a limit of the contract that must be accepted. */
    record Accepted(String label, Endpoint endpoint, String body) {
        @Override
        public String toString() {
            return endpoint + ": " + label;
        }
    }

    // ---------------------------------------------------------------- 400: the field at fault, nothing stored

    @ParameterizedTest(name = "{0}")
    @MethodSource({"malformedBodies", "wrongTypes", "unknownFields", "pastTheLimits"})
    void badInputIsAProblemNamingTheFieldAndChangesNothing(Refused refused) {
        long eventsBefore = eventStore.lifecycleEventCount();
        List<Document> targetBefore = eventStore.eventsOf(targetKeyId);
        String path = refused.endpoint().path(targetKeyId);

        Api.Reply reply = send(refused.endpoint().method, path, refused.body(), rootKey);

        JsonNode problem = assertProblem(reply, 400, "invalid-request", path);
        assertThat(fieldsAtFault(problem)).as(reply.toString()).containsExactly(refused.field());
        problem.path("errors").forEach(error -> assertThat(error.path("message").asText()).isNotBlank());
        if (refused.field() != null) {
            assertThat(problem.path("detail").asText()).contains(refused.field());
        }
        assertThat(eventStore.lifecycleEventCount()).as("events in the store").isEqualTo(eventsBefore);
        assertThat(eventStore.eventsOf(targetKeyId)).as("history of the named key").isEqualTo(targetBefore);
    }

    static Stream<Refused> malformedBodies() {
        return Arrays.stream(Endpoint.values()).flatMap(endpoint -> {
            List<Refused> cases = new ArrayList<>(List.of(
                    new Refused("malformed JSON", endpoint, "{\"ownerId\":", null),
                    new Refused("a JSON array", endpoint, "[" + endpoint.validBody() + "]", null),
                    new Refused("a JSON string", endpoint, "\"" + endpoint + "\"", null)));
            if (endpoint != Endpoint.ROTATE) { // the rotate body is optional: no body rotates with the default grace
                cases.add(new Refused("an empty body", endpoint, "", null));
            }
            return cases.stream();
        });
    }

    static Stream<Refused> wrongTypes() {
        return Stream.of(
                refused(Endpoint.CREATE, "ownerId as a boolean", create("ownerId", true), "ownerId"),
                refused(Endpoint.CREATE, "name as a number", create("name", 42), "name"),
                refused(Endpoint.CREATE, "permissions as a string", create("permissions", "payments:read"),
                        "permissions"),
                refused(Endpoint.CREATE, "a permission as a number", create("permissions", List.of(7)),
                        "permissions[0]"),
                refused(Endpoint.CREATE, "the second permission as an object",
                        create("permissions", List.of("payments:read", Map.of())), "permissions[1]"),
                refused(Endpoint.CREATE, "rateLimit.limit as the string \"10\"", create("rateLimit", rateLimit("10", 60)),
                        "rateLimit.limit"),
                refused(Endpoint.CREATE, "rateLimit.limit as 1.5", create("rateLimit", rateLimit(1.5, 60)),
                        "rateLimit.limit"),
                refused(Endpoint.CREATE, "rateLimit.limit past the range of an integer",
                        create("rateLimit", rateLimit(99_999_999_999L, 60)), "rateLimit.limit"),
                refused(Endpoint.CREATE, "rateLimit as a number", create("rateLimit", 10), "rateLimit"),
                refused(Endpoint.CREATE, "expiresAt as \"tomorrow\"", create("expiresAt", "tomorrow"), "expiresAt"),
                refused(Endpoint.CREATE, "environment \"prod\"", create("environment", "prod"), "environment"),
                refused(Endpoint.CREATE, "metadata as a string", create("metadata", "x"), "metadata"),

                refused(Endpoint.UPDATE, "name as a number", update("name", 42), "name"),
                refused(Endpoint.UPDATE, "permissions as a string", update("permissions", "payments:read"),
                        "permissions"),
                refused(Endpoint.UPDATE, "a permission as a number", update("permissions", List.of(7)),
                        "permissions[0]"),
                refused(Endpoint.UPDATE, "rateLimit.limit as the string \"10\"", update("rateLimit", rateLimit("10", 60)),
                        "rateLimit.limit"),
                refused(Endpoint.UPDATE, "rateLimit.limit as 1.5", update("rateLimit", rateLimit(1.5, 60)),
                        "rateLimit.limit"),
                refused(Endpoint.UPDATE, "expiresAt as \"tomorrow\"", update("expiresAt", "tomorrow"), "expiresAt"),
                refused(Endpoint.UPDATE, "metadata as an array", update("metadata", List.of(1)), "metadata"),

                refused(Endpoint.ROTATE, "gracePeriodSeconds as \"x\"", rotate("x"), "gracePeriodSeconds"),
                refused(Endpoint.ROTATE, "gracePeriodSeconds as the string \"60\"", rotate("60"),
                        "gracePeriodSeconds"),
                refused(Endpoint.ROTATE, "gracePeriodSeconds as 1.5", rotate(1.5), "gracePeriodSeconds"),

                refused(Endpoint.REVOKE, "reason as a number", revoke(5), "reason"),
                refused(Endpoint.REVOKE, "reason as an object", revoke(Map.of("text", "x")), "reason"),

                refused(Endpoint.VERIFY, "cost as the string \"1\"", verify("cost", "1"), "cost"),
                refused(Endpoint.VERIFY, "cost as 1.5", verify("cost", 1.5), "cost"),
                refused(Endpoint.VERIFY, "key as a number", json(Map.of("key", 12345)), "key"),
                refused(Endpoint.VERIFY, "permissions as a string", verify("permissions", "payments:read"),
                        "permissions"),
                refused(Endpoint.VERIFY, "a required permission as a number", verify("permissions", List.of(7)),
                        "permissions[0]"),
                refused(Endpoint.VERIFY, "source as a number", verify("source", 10), "source"));
    }

    static Stream<Refused> unknownFields() {
        return Stream.of(
                refused(Endpoint.CREATE, "an unknown top-level field", create("owner", "someone"), "owner"),
                refused(Endpoint.CREATE, "an unknown field in rateLimit",
                        create("rateLimit", Map.of("limit", 10, "windowSeconds", 60, "burst", 5)), "rateLimit.burst"),
                refused(Endpoint.UPDATE, "a field that cannot be updated", update("ownerId", "someone-else"),
                        "ownerId"),
                refused(Endpoint.UPDATE, "an unknown field in rateLimit",
                        update("rateLimit", Map.of("limit", 10, "windowSeconds", 60, "burst", 5)), "rateLimit.burst"),
                refused(Endpoint.ROTATE, "an unknown field", json(Map.of("grace", 60)), "grace"),
                refused(Endpoint.REVOKE, "an unknown field",
                        json(Map.of("reason", "bad input test", "notify", true)), "notify"),
                refused(Endpoint.VERIFY, "an unknown field", verify("keyId", "key_x"), "keyId"));
    }

    static Stream<Refused> pastTheLimits() {
        return Stream.of(
                refused(Endpoint.CREATE, "no ownerId", createWithout("ownerId"), "ownerId"),
                refused(Endpoint.CREATE, "an empty ownerId", create("ownerId", ""), "ownerId"),
                refused(Endpoint.CREATE, "ownerId of 129 characters", create("ownerId", "o".repeat(129)), "ownerId"),
                refused(Endpoint.CREATE, "ownerId with a space", create("ownerId", "owner one"), "ownerId"),
                refused(Endpoint.CREATE, "ownerId with a slash", create("ownerId", "owner/1"), "ownerId"),
                refused(Endpoint.CREATE, "ownerId with a non-ASCII letter", create("ownerId", "\u00f6wner"),
                        "ownerId"),
                refused(Endpoint.CREATE, "no name", createWithout("name"), "name"),
                refused(Endpoint.CREATE, "an empty name", create("name", ""), "name"),
                refused(Endpoint.CREATE, "a blank name", create("name", "   "), "name"),
                refused(Endpoint.CREATE, "name of 101 characters", create("name", "n".repeat(101)), "name"),
                refused(Endpoint.CREATE, "name with a control character", create("name", "bad\u0007name"), "name"),
                refused(Endpoint.CREATE, "no permissions", createWithout("permissions"), "permissions"),
                refused(Endpoint.CREATE, "51 permissions", create("permissions", permissions(51)), "permissions"),
                refused(Endpoint.CREATE, "a permission of 65 characters",
                        create("permissions", List.of("payments:read", "p".repeat(65))), "permissions[1]"),
                refused(Endpoint.CREATE, "an uppercase permission", create("permissions", List.of("Payments:read")),
                        "permissions[0]"),
                refused(Endpoint.CREATE, "an empty permission", create("permissions", List.of("")),
                        "permissions[0]"),
                refused(Endpoint.CREATE, "a permission listed twice",
                        create("permissions", List.of("payments:read", "payments:read")), "permissions[1]"),
                refused(Endpoint.CREATE, "a scope on a key without management permissions",
                        create("scope", Map.of("owners", List.of("acme"))), "scope"),
                refused(Endpoint.CREATE, "a scope as a list", createRootKey("scope", List.of("acme")), "scope"),
                refused(Endpoint.CREATE, "a scope without owners", createRootKey("scope", Map.of()), "scope.owners"),
                refused(Endpoint.CREATE, "a scope of no owners",
                        createRootKey("scope", Map.of("owners", List.of())), "scope.owners"),
                refused(Endpoint.CREATE, "a scope of 101 owners",
                        createRootKey("scope", Map.of("owners", owners(101))), "scope.owners"),
                refused(Endpoint.CREATE, "a scope with an unknown member",
                        createRootKey("scope", Map.of("owners", List.of("acme"), "keys", List.of())), "scope.keys"),
                refused(Endpoint.CREATE, "a scope owner with a space",
                        createRootKey("scope", Map.of("owners", List.of("acme", "ac me"))), "scope.owners[1]"),
                refused(Endpoint.CREATE, "a scope owner that is only *",
                        createRootKey("scope", Map.of("owners", List.of("*"))), "scope.owners[0]"),
                refused(Endpoint.CREATE, "a scope owner with * inside",
                        createRootKey("scope", Map.of("owners", List.of("ac*me"))), "scope.owners[0]"),
                refused(Endpoint.CREATE, "a scope owner of 129 characters",
                        createRootKey("scope", Map.of("owners", List.of("o".repeat(129)))), "scope.owners[0]"),
                refused(Endpoint.CREATE, "a scope owner listed twice",
                        createRootKey("scope", Map.of("owners", List.of("acme*", "acme*"))), "scope.owners[1]"),
                refused(Endpoint.CREATE, "a scope owner as a number",
                        createRootKey("scope", Map.of("owners", List.of(7))), "scope.owners[0]"),
                refused(Endpoint.CREATE, "metadata of 8 KiB + 1 byte",
                        create("metadata", metadataOfBytes(MAX_METADATA_BYTES + 1)), "metadata"),
                refused(Endpoint.CREATE, "a metadata key starting with $", create("metadata", Map.of("$where", 1)),
                        "metadata.$where"),
                refused(Endpoint.CREATE, "a metadata key with a dot", create("metadata", Map.of("a.b", 1)),
                        "metadata.a.b"),
                refused(Endpoint.CREATE, "a nested metadata key with a dot",
                        create("metadata", Map.of("outer", Map.of("a.b", 1))), "metadata.outer.a.b"),
                refused(Endpoint.CREATE, "a metadata key starting with $ inside an array",
                        create("metadata", Map.of("list", List.of(Map.of("$set", 1)))), "metadata.list[0].$set"),
                refused(Endpoint.CREATE, "expiresAt in the past",
                        create("expiresAt", Instant.now().minusSeconds(60).toString()), "expiresAt"),
                refused(Endpoint.CREATE, "rateLimit.limit 0", create("rateLimit", rateLimit(0, 60)),
                        "rateLimit.limit"),
                refused(Endpoint.CREATE, "rateLimit.windowSeconds 0", create("rateLimit", rateLimit(10, 0)),
                        "rateLimit.windowSeconds"),
                refused(Endpoint.CREATE, "rateLimit without windowSeconds", create("rateLimit", Map.of("limit", 10)),
                        "rateLimit.windowSeconds"),

                refused(Endpoint.UPDATE, "no field at all", "{}", null),
                refused(Endpoint.UPDATE, "name: null", update("name", null), "name"),
                refused(Endpoint.UPDATE, "a blank name", update("name", " "), "name"),
                refused(Endpoint.UPDATE, "name of 101 characters", update("name", "n".repeat(101)), "name"),
                refused(Endpoint.UPDATE, "permissions: null", update("permissions", null), "permissions"),
                refused(Endpoint.UPDATE, "a scope of no owners", update("scope", Map.of("owners", List.of())),
                        "scope.owners"),
                refused(Endpoint.UPDATE, "a scope owner with * inside",
                        update("scope", Map.of("owners", List.of("a*b"))), "scope.owners[0]"),
                refused(Endpoint.UPDATE, "a scope as a string", update("scope", "acme"), "scope"),
                refused(Endpoint.UPDATE, "51 permissions", update("permissions", permissions(51)), "permissions"),
                refused(Endpoint.UPDATE, "an uppercase permission", update("permissions", List.of("Payments:read")),
                        "permissions[0]"),
                refused(Endpoint.UPDATE, "a permission listed twice",
                        update("permissions", List.of("a", "b", "a")), "permissions[2]"),
                refused(Endpoint.UPDATE, "metadata of 8 KiB + 1 byte",
                        update("metadata", metadataOfBytes(MAX_METADATA_BYTES + 1)), "metadata"),
                refused(Endpoint.UPDATE, "a metadata key starting with $", update("metadata", Map.of("$x", 1)),
                        "metadata.$x"),
                refused(Endpoint.UPDATE, "a nested metadata key with a dot",
                        update("metadata", Map.of("outer", Map.of("a.b", 1))), "metadata.outer.a.b"),
                refused(Endpoint.UPDATE, "expiresAt in the past",
                        update("expiresAt", Instant.now().minusSeconds(60).toString()), "expiresAt"),
                refused(Endpoint.UPDATE, "rateLimit.limit 0", update("rateLimit", rateLimit(0, 60)),
                        "rateLimit.limit"),

                refused(Endpoint.ROTATE, "gracePeriodSeconds -1", rotate(-1), "gracePeriodSeconds"),
                refused(Endpoint.ROTATE, "gracePeriodSeconds one past 90 days",
                        rotate(MAX_ROTATION_GRACE.toSeconds() + 1), "gracePeriodSeconds"),

                refused(Endpoint.REVOKE, "no reason", "{}", "reason"),
                refused(Endpoint.REVOKE, "reason: null", revoke(null), "reason"),
                refused(Endpoint.REVOKE, "an empty reason", revoke(""), "reason"),
                refused(Endpoint.REVOKE, "a blank reason", revoke("   "), "reason"),
                refused(Endpoint.REVOKE, "a reason of 501 characters", revoke("r".repeat(501)), "reason"),
                refused(Endpoint.REVOKE, "a reason with a control character", revoke("bad\u0000reason"), "reason"),

                refused(Endpoint.VERIFY, "no key", json(Map.of("cost", 1)), "key"),
                refused(Endpoint.VERIFY, "key: null", verifyWithKey(null), "key"),
                refused(Endpoint.VERIFY, "a key of 257 characters", verifyWithKey("k".repeat(257)), "key"),
                refused(Endpoint.VERIFY, "cost 0", verify("cost", 0), "cost"),
                refused(Endpoint.VERIFY, "cost -1", verify("cost", -1), "cost"),
                refused(Endpoint.VERIFY, "cost 1001", verify("cost", 1001), "cost"),
                refused(Endpoint.VERIFY, "51 required permissions", verify("permissions", permissions(51)),
                        "permissions"),
                refused(Endpoint.VERIFY, "an uppercase required permission",
                        verify("permissions", List.of("payments:read", "Payments:read")), "permissions[1]"),
                refused(Endpoint.VERIFY, "a required permission of 65 characters",
                        verify("permissions", List.of("p".repeat(65))), "permissions[0]"),
                refused(Endpoint.VERIFY, "an empty source", verify("source", ""), "source"),
                refused(Endpoint.VERIFY, "a source of 129 characters", verify("source", "s".repeat(129)), "source"));
    }

    // ---------------------------------------------------------------- at the limit: accepted

    @ParameterizedTest(name = "{0}")
    @MethodSource("atTheLimits")
    void requestsAtTheLimitAreAccepted(Accepted accepted) {
        Endpoint endpoint = accepted.endpoint();
        String keyId = endpoint.namesAKey() ? createKey(List.of("payments:read")).text("keyId") : null;

        Api.Reply reply = send(endpoint.method, keyId == null ? endpoint.path("") : endpoint.path(keyId),
                accepted.body(), rootKey);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(endpoint == Endpoint.CREATE ? 201 : 200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        if (endpoint == Endpoint.CREATE) {
            assertThat(eventStore.lifecycleTypesOf(reply.text("keyId"))).containsExactly(endpoint.event);
        } else if (endpoint == Endpoint.VERIFY) {
            assertThat(reply.text("code")).isEqualTo("NOT_FOUND");
        } else {
            assertThat(eventStore.lifecycleTypesOf(keyId)).containsExactly("ApiKeyCreatedEvent", endpoint.event);
        }
    }

    static Stream<Accepted> atTheLimits() {
        return Stream.of(
                accepted(Endpoint.CREATE, "ownerId of 128 characters", create("ownerId", "o".repeat(128))),
                accepted(Endpoint.CREATE, "ownerId of one character", create("ownerId", "o")),
                accepted(Endpoint.CREATE, "ownerId of every allowed kind of character",
                        create("ownerId", "AZaz09._:@-")),
                accepted(Endpoint.CREATE, "name of 100 characters", create("name", "n".repeat(100))),
                accepted(Endpoint.CREATE, "name of one character", create("name", "n")),
                accepted(Endpoint.CREATE, "no permissions (an empty array)", create("permissions", List.of())),
                accepted(Endpoint.CREATE, "50 permissions", create("permissions", permissions(50))),
                accepted(Endpoint.CREATE, "a permission of 64 characters", create("permissions",
                        List.of("p".repeat(64)))),
                accepted(Endpoint.CREATE, "a permission of every allowed kind of character",
                        create("permissions", List.of("az09_.:*-"))),
                accepted(Endpoint.CREATE, "metadata of exactly 8 KiB",
                        create("metadata", metadataOfBytes(MAX_METADATA_BYTES))),
                accepted(Endpoint.CREATE, "metadata keys with $ and . inside but not at the start",
                        create("metadata", Map.of("price$", 1, "outer", Map.of("in$ner", "x")))),
                accepted(Endpoint.CREATE, "expiresAt a day ahead",
                        create("expiresAt", Instant.now().plus(Duration.ofDays(1)).toString())),
                accepted(Endpoint.CREATE, "rateLimit.limit 1", create("rateLimit", rateLimit(1, 1))),
                accepted(Endpoint.CREATE, "environment test", create("environment", "test")),

                accepted(Endpoint.UPDATE, "name of 100 characters", update("name", "n".repeat(100))),
                accepted(Endpoint.UPDATE, "50 permissions", update("permissions", permissions(50))),
                accepted(Endpoint.UPDATE, "metadata of exactly 8 KiB",
                        update("metadata", metadataOfBytes(MAX_METADATA_BYTES))),
                accepted(Endpoint.UPDATE, "rateLimit.limit 1", update("rateLimit", rateLimit(1, 1))),
                accepted(Endpoint.UPDATE, "expiresAt a day ahead",
                        update("expiresAt", Instant.now().plus(Duration.ofDays(1)).toString())),

                accepted(Endpoint.ROTATE, "gracePeriodSeconds 0", rotate(0)),
                accepted(Endpoint.ROTATE, "gracePeriodSeconds of exactly 90 days",
                        rotate(MAX_ROTATION_GRACE.toSeconds())),
                accepted(Endpoint.ROTATE, "no gracePeriodSeconds", "{}"),

                accepted(Endpoint.REVOKE, "a reason of 500 characters", revoke("r".repeat(500))),
                accepted(Endpoint.REVOKE, "a reason of one character", revoke("r")),

                accepted(Endpoint.VERIFY, "cost 1", verify("cost", 1)),
                accepted(Endpoint.VERIFY, "cost 1000", verify("cost", 1000)),
                accepted(Endpoint.VERIFY, "50 required permissions", verify("permissions", permissions(50))),
                accepted(Endpoint.VERIFY, "a source of 128 characters", verify("source", "s".repeat(128))));
    }

    // ---------------------------------------------------------------- lenient readings that are refused

    /** Instants are ISO-8601 strings only, and a member sent twice is an error, not "the last one wins". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("numericInstantsAndDuplicateMembers")
    void numericInstantsAndDuplicateMembersAreRefused(Refused refused) {
        badInputIsAProblemNamingTheFieldAndChangesNothing(refused);
    }

    static Stream<Refused> numericInstantsAndDuplicateMembers() {
        return Stream.of(
                refused(Endpoint.CREATE, "expiresAt as epoch seconds (a number)", create("expiresAt", 4_102_444_800L),
                        "expiresAt"),
                refused(Endpoint.CREATE, "expiresAt as epoch milliseconds (read as seconds: year 131971)",
                        create("expiresAt", 4_102_444_800_000L), "expiresAt"),
                refused(Endpoint.CREATE, "expiresAt as a fractional number", create("expiresAt", 4_102_444_800.5),
                        "expiresAt"),
                refused(Endpoint.CREATE, "expiresAt as a string of digits", create("expiresAt", "4102444800"),
                        "expiresAt"),
                refused(Endpoint.UPDATE, "expiresAt as epoch seconds (a number)", update("expiresAt", 4_102_444_800L),
                        "expiresAt"),
                refused(Endpoint.CREATE, "ownerId sent twice",
                        json(createBody()).replace("}", ",\"ownerId\":\"someone-else\"}"), "ownerId"),
                refused(Endpoint.CREATE, "a metadata key sent twice",
                        json(createBody()).replace("}", ",\"metadata\":{\"a\":1,\"a\":2}}"), "metadata.a"));
    }

    /** Lengths count characters (code points), not UTF-16 units. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("limitsInCharactersOutsideTheBmp")
    void limitsCountCharactersOutsideTheBasicPlane(Accepted accepted) {
        requestsAtTheLimitAreAccepted(accepted);
    }

    static Stream<Accepted> limitsInCharactersOutsideTheBmp() {
        String hundredEmoji = new String(Character.toChars(0x1F600)).repeat(100);
        return Stream.of(
                accepted(Endpoint.CREATE, "name of 100 characters outside the BMP", create("name", hundredEmoji)),
                accepted(Endpoint.UPDATE, "name of 100 characters outside the BMP", update("name", hundredEmoji)),
                accepted(Endpoint.REVOKE, "reason of 500 characters outside the BMP",
                        revoke(new String(Character.toChars(0x1F600)).repeat(500))));
    }

    // ---------------------------------------------------------------- 413: the body cap

    enum Transfer {
        /** Content-Length is declared, so the body is refused before it is read. */
        DECLARED_LENGTH(bytes -> HttpRequest.BodyPublishers.ofByteArray(bytes)),
        /** No length: chunked, so the body is cut off while it is read. */
        CHUNKED(bytes -> HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

        final Function<byte[], HttpRequest.BodyPublisher> publisher;

        Transfer(Function<byte[], HttpRequest.BodyPublisher> publisher) {
            this.publisher = publisher;
        }
    }

    static Stream<Arguments> everyEndpointAndTransfer() {
        return Arrays.stream(Endpoint.values())
                .flatMap(endpoint -> Arrays.stream(Transfer.values()).map(transfer -> Arguments.of(endpoint, transfer)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEndpointAndTransfer")
    void aBodyPastTheCapIsRefusedWith413(Endpoint endpoint, Transfer transfer) {
        long eventsBefore = eventStore.lifecycleEventCount();
        List<Document> targetBefore = eventStore.eventsOf(targetKeyId);
        String path = endpoint.path(targetKeyId);
        byte[] body = paddedTo(endpoint.validBody(), MAX_BODY_BYTES + 1);
        HttpRequest.BodyPublisher publisher = transfer.publisher.apply(body);
        assertThat(publisher.contentLength()).isEqualTo(transfer == Transfer.CHUNKED ? -1 : body.length);

        Api.Reply reply = exchange(request(endpoint.method, path, "Bearer " + rootKey, publisher));

        JsonNode problem = assertProblem(reply, 413, "payload-too-large", path);
        assertThat(problem.path("errors").isArray()).isTrue();
        assertThat(eventStore.lifecycleEventCount()).isEqualTo(eventsBefore);
        assertThat(eventStore.eventsOf(targetKeyId)).isEqualTo(targetBefore);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transfer.class)
    void aBodyOfExactlyTheCapIsAccepted(Transfer transfer) {
        byte[] body = paddedTo(Endpoint.CREATE.validBody(), MAX_BODY_BYTES);

        Api.Reply reply = exchange(request("POST", "/v1/keys", "Bearer " + rootKey, transfer.publisher.apply(body)));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(eventStore.lifecycleTypesOf(reply.text("keyId"))).containsExactly("ApiKeyCreatedEvent");
    }

    // ---------------------------------------------------------------- 401 and 403

    enum Credential {
        NONE(key -> null),
        NOT_BEARER(key -> "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("user:" + key).getBytes(StandardCharsets.US_ASCII))),
        EMPTY_BEARER(key -> "Bearer "),
        BEARER_GARBAGE(key -> "Bearer garbage"),
        BAD_CHECKSUM(key -> "Bearer " + withBadChecksum(key)),
        WELL_FORMED_UNKNOWN_KEY(key -> "Bearer " + UNKNOWN_KEY),
        REVOKED_ROOT_KEY(key -> "Bearer " + revokedRootKey);

        /** The Authorization header, given the working root key it imitates. */
        final Function<String, String> authorization;

        Credential(Function<String, String> authorization) {
            this.authorization = authorization;
        }
    }

    static Stream<Arguments> everyEndpointAndBadCredential() {
        return Arrays.stream(Endpoint.values()).flatMap(endpoint -> Arrays.stream(Credential.values())
                .map(credential -> Arguments.of(endpoint, credential)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEndpointAndBadCredential")
    void aMissingOrInvalidCredentialIs401(Endpoint endpoint, Credential credential) {
        long eventsBefore = eventStore.lifecycleEventCount();
        List<Document> targetBefore = eventStore.eventsOf(targetKeyId);
        String path = endpoint.path(targetKeyId);
        String authorization = credential.authorization.apply(rootKey);

        Api.Reply reply = exchange(request(endpoint.method, path, authorization,
                HttpRequest.BodyPublishers.ofString(endpoint.validBody())));

        assertProblem(reply, 401, "unauthenticated", path);
        assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(reply.body()).doesNotContain(rootKey, UNKNOWN_KEY, revokedRootKey, "garbage");
        assertThat(eventStore.lifecycleEventCount()).isEqualTo(eventsBefore);
        assertThat(eventStore.eventsOf(targetKeyId)).isEqualTo(targetBefore);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Endpoint.class)
    void aRootKeyLackingThePermissionIs403(Endpoint endpoint) {
        long eventsBefore = eventStore.lifecycleEventCount();
        List<Document> targetBefore = eventStore.eventsOf(targetKeyId);
        String path = endpoint.path(targetKeyId);

        Api.Reply reply = send(endpoint.method, path, endpoint.validBody(), readOnlyRootKey);

        JsonNode problem = assertProblem(reply, 403, "forbidden", path);
        assertThat(problem.path("detail").asText()).contains(permissionOf(endpoint));
        assertThat(reply.body()).doesNotContain(readOnlyRootKey);
        assertThat(eventStore.lifecycleEventCount()).isEqualTo(eventsBefore);
        assertThat(eventStore.eventsOf(targetKeyId)).isEqualTo(targetBefore);
    }

    static Stream<List<String>> managementPermissionsTheCallerLacks() {
        return Stream.of(List.of("*"), List.of("keys:revoke"), List.of("keys:*"),
                List.of("payments:read", "keys:rotate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("managementPermissionsTheCallerLacks")
    void aRootKeyCannotGrantWhatItDoesNotHold(List<String> permissions) {
        long eventsBefore = eventStore.lifecycleEventCount();

        Api.Reply reply = send("POST", "/v1/keys", json(createBody(permissions)), createOnlyRootKey);

        assertProblem(reply, 403, "forbidden", "/v1/keys");
        assertThat(eventStore.lifecycleEventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void aRootKeyMayGrantOrdinaryPermissionsAndWhatItHolds() {
        Api.Reply reply = send("POST", "/v1/keys", json(createBody(List.of("payments:read", "keys:create"))),
                createOnlyRootKey);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(eventStore.lifecycleTypesOf(reply.text("keyId"))).containsExactly("ApiKeyCreatedEvent");
    }

    // ---------------------------------------------------------------- a malformed key to verify: 200 MALFORMED

    static Stream<Arguments> malformedKeys() {
        String key = newSecret();
        return Stream.of(
                Arguments.of("the last character changed (bad checksum)", withBadChecksum(key)),
                Arguments.of("a character of the random part changed", key.substring(0, 20)
                        + (key.charAt(20) == 'a' ? 'b' : 'a') + key.substring(21)),
                Arguments.of("one character short", key.substring(0, key.length() - 1)),
                Arguments.of("one character too many", key + "0"),
                Arguments.of("an unknown environment", "ss_prod" + key.substring(7)),
                Arguments.of("a character outside base62", key.substring(0, 20) + "!" + key.substring(21)),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedKeys")
    void aMalformedKeyVerifiesAsMalformed(String label, String malformedKey) {
        Api.Reply reply = send("POST", "/v1/keys/verify", verifyWithKey(malformedKey), rootKey);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.text("code")).isEqualTo("MALFORMED");
        assertThat(reply.json().path("valid").asBoolean(true)).isFalse();
        assertThat(reply.json().has("keyId")).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode assertProblem(Api.Reply reply, int status, String kind, String instance) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).as(reply.toString()).startsWith(PROBLEM_JSON);
        JsonNode problem = reply.json();
        assertThat(problem.path("type").asText()).as(reply.toString()).isEqualTo(TYPE_BASE + kind);
        assertThat(problem.path("title").asText()).as(reply.toString()).isNotBlank();
        assertThat(problem.path("status").asInt()).as(reply.toString()).isEqualTo(status);
        assertThat(problem.path("detail").asText()).as(reply.toString()).isNotBlank();
        assertThat(problem.path("instance").asText()).as(reply.toString()).isEqualTo(instance);
        return problem;
    }

    private static List<String> fieldsAtFault(JsonNode problem) {
        assertThat(problem.path("errors").isArray()).as(problem.toString()).isTrue();
        return StreamSupport.stream(problem.path("errors").spliterator(), false)
                .map(error -> error.path("field").isTextual() ? error.path("field").asText() : null)
                .toList();
    }

    private static String permissionOf(Endpoint endpoint) {
        return switch (endpoint) {
            case CREATE -> "keys:create";
            case ROTATE -> "keys:rotate";
            case REVOKE -> "keys:revoke";
            case UPDATE -> "keys:update";
            case VERIFY -> "keys:verify";
        };
    }

    private static Api.Reply createKey(List<String> permissions) {
        Api.Reply created = api.createKey(createBody(permissions));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created;
    }

    /** A root key created through the API, once authentication (which reads the eventually consistent view) takes it. */
    private static String workingRootKey(String permission) {
        String key = createKey(List.of(permission)).text("key");
        // neither key holds keys:verify, so a working one is refused with 403, an unknown one with 401
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(
                send("POST", "/v1/keys/verify", Endpoint.VERIFY.validBody(), key).status()).isEqualTo(403));
        return key;
    }

    private static Api.Reply send(String method, String path, String body, String bearer) {
        return exchange(request(method, path, bearer == null ? null : "Bearer " + bearer,
                HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpRequest request(String method, String path, String authorization,
                                       HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.baseUri() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static Api.Reply exchange(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Api.Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The JSON body, with whitespace in front to make it exactly {@code size} bytes: still valid, only too big. */
    private static byte[] paddedTo(String body, int size) {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[size];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(json, 0, padded, size - json.length, json.length);
        return padded;
    }

    private static String newSecret() {
        return ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();
    }

    private static String withBadChecksum(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == '0' ? '1' : '0');
    }

    private static Refused refused(Endpoint endpoint, String label, String body, String field) {
        return new Refused(label, endpoint, body, field);
    }

    private static Accepted accepted(Endpoint endpoint, String label, String body) {
        return new Accepted(label, endpoint, body);
    }

    private static Map<String, Object> createBody() {
        return createBody(List.of("payments:read"));
    }

    private static Map<String, Object> createBody(List<String> permissions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ownerId", "bad-input-owner");
        body.put("name", "bad input test key");
        body.put("permissions", permissions);
        return body;
    }

    /** A valid create body with one field set to {@code value}, or added when the contract does not name it. */
    private static String create(String field, Object value) {
        Map<String, Object> body = createBody();
        body.put(field, value);
        return json(body);
    }

    /** A create body for a key holding a management permission, so that it may have a scope. */
    private static String createRootKey(String field, Object value) {
        Map<String, Object> body = createBody();
        body.put("permissions", List.of("keys:verify"));
        body.put(field, value);
        return json(body);
    }

    private static List<String> owners(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "owner-" + i).toList();
    }

    private static String createWithout(String field) {
        Map<String, Object> body = createBody();
        body.remove(field);
        return json(body);
    }

    private static String update(String field, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(field, value);
        return json(body);
    }

    private static String rotate(Object gracePeriodSeconds) {
        return update("gracePeriodSeconds", gracePeriodSeconds);
    }

    private static String revoke(Object reason) {
        return update("reason", reason);
    }

    /** A valid verify body (an unknown, well-formed key) with one field set to {@code value}. */
    private static String verify(String field, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", UNKNOWN_KEY);
        body.put(field, value);
        return json(body);
    }

    private static String verifyWithKey(Object key) {
        return update("key", key);
    }

    private static Map<String, Object> rateLimit(Object limit, Object windowSeconds) {
        Map<String, Object> rateLimit = new LinkedHashMap<>();
        rateLimit.put("limit", limit);
        rateLimit.put("windowSeconds", windowSeconds);
        return rateLimit;
    }

    private static List<String> permissions(int count) {
        return IntStream.range(0, count).mapToObj(i -> "perm:" + i).toList();
    }

    /** Metadata whose compact JSON is exactly {@code bytes} long: {@code {"blob":"xx..."}}. */
    private static Map<String, Object> metadataOfBytes(int bytes) {
        String overhead = "{\"blob\":\"\"}";
        Map<String, Object> metadata = Map.of("blob", "x".repeat(bytes - overhead.length()));
        assertThat(json(metadata)).hasSize(bytes);
        return metadata;
    }

    private static String json(Object value) {
        try {
            return Api.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
