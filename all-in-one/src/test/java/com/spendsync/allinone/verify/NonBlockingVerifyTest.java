package com.spendsync.allinone.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.security.AccessFailures;
import com.spendsync.query.verify.NonBlockingVerifyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/keys/verify} on the non-blocking port ({@code SPENDSYNC_VERIFY_PORT}) keeps the contract the
 * management port serves: the same request, sent to both, gets the same status, media type, headers and body, for
 * answers and for every kind of refusal.
 */
class NonBlockingVerifyTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SpendSyncInstance instance;
    private static Api api;
    private static String mvc;
    private static String nonBlocking;

    @BeforeAll
    static void start() {
        instance = SpendSyncInstance.builder().property("SPENDSYNC_VERIFY_PORT", "0").start();
        api = instance.api();
        mvc = api.baseUri();
        nonBlocking = "http://127.0.0.1:" + instance.bean(NonBlockingVerifyServer.class).port();
    }

    @AfterAll
    static void stop() {
        instance.close();
    }

    private record Answer(int status, String mediaType, Map<String, String> headers, JsonNode body) {
    }

    private static Answer send(String base, String method, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/keys/verify"))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> kept = new HashMap<>();
            for (String name : List.of("RateLimit", "RateLimit-Policy", "Retry-After", "WWW-Authenticate")) {
                response.headers().firstValue(name).ifPresent(value -> kept.put(name, value));
            }
            String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0];
            JsonNode json = response.body().isEmpty() ? null : Api.JSON.readTree(response.body());
            return new Answer(response.statusCode(), type, kept, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> json(String bearer) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        if (bearer != null) {
            headers.put("Authorization", "Bearer " + bearer);
        }
        return headers;
    }

    private static String root() {
        return instance.rootKey().reveal();
    }

    /** The same request to both ports: the same answer. */
    private static Answer sameFromBoth(String method, String body, Map<String, String> headers) {
        Answer fromMvc = send(mvc, method, body, headers);
        Answer fromNonBlocking = send(nonBlocking, method, body, headers);
        assertThat(fromNonBlocking).as("%s %s %s", method, body, headers).isEqualTo(fromMvc);
        return fromMvc;
    }

    private static String key(Map<String, Object> extra) {
        return created(extra).text("key");
    }

    private static Api.Reply created(Map<String, Object> extra) {
        Map<String, Object> request = new HashMap<>(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "gateway",
                "permissions", List.of("payments:read")));
        request.putAll(extra);
        return api.createKey(request);
    }

    @Test
    void answersAreTheManagementPortsForEveryOutcomeOfAKey() {
        String valid = key(Map.of());
        Api.Reply toRevoke = created(Map.of());
        String revoked = toRevoke.text("key");
        api.revoke(toRevoke.text("keyId"));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(mvc, "POST", "{\"key\":\"" + revoked + "\"}",
                json(root())).body().path("code").asText().equals("REVOKED"));
        String unknown = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();

        assertThat(sameFromBoth("POST", "{\"key\":\"" + valid + "\",\"permissions\":[\"payments:read\"]}", json(root()))
                .body().path("code").asText()).isEqualTo("VALID");
        assertThat(sameFromBoth("POST", "{\"key\":\"" + valid + "\",\"permissions\":[\"refunds:create\"]}", json(root()))
                .body().path("valid").asBoolean()).isFalse();
        assertThat(sameFromBoth("POST", "{\"key\":\"" + unknown + "\"}", json(root())).body().path("code").asText())
                .isEqualTo("NOT_FOUND");
        assertThat(sameFromBoth("POST", "{\"key\":\"ss_live_short\"}", json(root())).body().path("code").asText())
                .isEqualTo("MALFORMED");
        assertThat(sameFromBoth("POST", "{\"key\":\"" + revoked + "\"}", json(root())).body().path("code").asText())
                .isEqualTo("REVOKED");
    }

    @Test
    void aRateLimitSpendsAlikeAndAnswersWithTheSameHeaders() {
        Map<String, Object> limited = Map.of("rateLimit", Map.of("limit", 1, "windowSeconds", 3600));
        String throughMvc = key(limited);
        String throughNonBlocking = key(limited);
        for (int use = 0; use < 2; use++) {
            Answer fromMvc = send(mvc, "POST", "{\"key\":\"" + throughMvc + "\"}", json(root()));
            Answer fromNonBlocking = send(nonBlocking, "POST", "{\"key\":\"" + throughNonBlocking + "\"}", json(root()));
            assertThat(fromNonBlocking.headers()).isEqualTo(fromMvc.headers());
            assertThat(withoutKeyId(fromNonBlocking.body())).isEqualTo(withoutKeyId(fromMvc.body()));
            assertThat(fromMvc.body().path("code").asText()).isEqualTo(use == 0 ? "VALID" : "RATE_LIMITED");
        }
    }

    private static JsonNode withoutKeyId(JsonNode body) {
        return ((ObjectNode) body.deepCopy()).without(List.of("keyId", "ownerId"));
    }

    @Test
    void badRequestsAreRefusedWithTheSameProblems() {
        String root = root();
        for (String body : List.of("{}", "{\"key\":7}", "{\"key\":\"a\",\"cost\":\"x\"}", "{\"key\":\"a\",\"key\":\"b\"}",
                "{\"key\":\"a\",\"extra\":1}", "{\"key\":\"a\",\"permissions\":[\"NOT VALID\"]}", "not json", "",
                "{\"key\":\"a\",\"cost\":0,\"source\":\"\"}")) {
            assertThat(sameFromBoth("POST", body, json(root)).status()).as(body).isEqualTo(400);
        }
        assertThat(sameFromBoth("POST", "{\"key\":\"" + "a".repeat(70_000) + "\"}", json(root)).status())
                .isEqualTo(413);
        // the client is still sending when the answer is ready: the body is read and dropped, not reset
        assertThat(sameFromBoth("POST", "{\"key\":\"" + "a".repeat(1_500_000) + "\"}", json(root)).status())
                .isEqualTo(413);
        Map<String, String> plainText = new LinkedHashMap<>(json(root));
        plainText.put("Content-Type", "text/plain");
        // the servlet side names the type with the charset its encoding filter gives every request: detail differs
        Answer fromMvc = send(mvc, "POST", "{}", plainText);
        Answer fromNonBlocking = send(nonBlocking, "POST", "{}", plainText);
        assertThat(List.of(fromMvc, fromNonBlocking)).allSatisfy(refused -> {
            assertThat(refused.status()).isEqualTo(415);
            assertThat(refused.mediaType()).isEqualTo("application/problem+json");
            assertThat(refused.body().path("type").asText()).isEqualTo("urn:spendsync:problem:unsupported-media-type");
            assertThat(refused.body().path("title").asText()).isEqualTo("Unsupported Media Type");
        });
    }

    @Test
    void callersAreAuthenticatedAndAuthorisedAlikeAndTheirRefusalsCounted() {
        String weak = api.createKey(Map.of("ownerId", "owner-" + UUID.randomUUID(), "name", "reader",
                "permissions", List.of("keys:read"))).text("key");
        String body = "{\"key\":\"ss_live_short\"}";

        Answer none = sameFromBoth("POST", body, json(null));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsKey("WWW-Authenticate");
        assertThat(sameFromBoth("POST", body, json("ss_live_notarootkey")).status()).isEqualTo(401);
        assertThat(sameFromBoth("POST", body, json(weak)).status()).isEqualTo(403);

        String source = "probe-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            send(nonBlocking, "POST", "{\"key\":\"ss_live_short\",\"source\":\"" + source + "\"}", json(root()));
        }
        instance.bean(AccessFailures.class).flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(
                        "/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=" + source).json().path("items")
                .findValuesAsText("kind").contains(AccessFailures.MALFORMED_KEY));
    }

    @Test
    void theNonBlockingPortServesVerifyAndNothingElse() {
        Answer get = send(nonBlocking, "GET", null, json(root()));
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.mediaType()).isEqualTo("application/problem+json");
        HttpRequest other = HttpRequest.newBuilder(URI.create(nonBlocking + "/v1/keys")).GET().build();
        try {
            assertThat(HTTP.send(other, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void headersThatDoNotParseAreRefusedAsProblemsAndACallerWithoutAKeyIsAskedForOneFirst() {
        Map<String, String> badType = new LinkedHashMap<>(json(root()));
        badType.put("Content-Type", ";;;");
        Map<String, String> badAccept = new LinkedHashMap<>(json(root()));
        badAccept.put("Accept", "a/b/c;;==");
        Map<String, String> plainWithoutKey = new LinkedHashMap<>(json(null));
        plainWithoutKey.put("Content-Type", "text/plain");

        Answer type = send(nonBlocking, "POST", "{}", badType);
        assertThat(type.status()).isEqualTo(send(mvc, "POST", "{}", badType).status()).isEqualTo(415);
        assertThat(type.body().path("type").asText()).isEqualTo("urn:spendsync:problem:unsupported-media-type");
        Answer accept = send(nonBlocking, "POST", "{\"key\":\"ss_live_short\"}", badAccept);
        assertThat(accept.status()).isEqualTo(406);
        assertThat(accept.body().path("type").asText()).isEqualTo("urn:spendsync:problem:not-acceptable");
        assertThat(sameFromBoth("POST", "{}", plainWithoutKey).status()).isEqualTo(401);
    }

    @Test
    void aRefusedRequestsChunkedBodyIsNotReadOnAndOn() throws Exception {
        URI uri = URI.create(nonBlocking);
        long sent = 0;
        String status;
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + "a".repeat(0x10000) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            try {
                while (sent < 200L << 20) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException closed) {
                // the server closed the connection after answering
            }
            try {
                status = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            } catch (IOException reset) {
                // the unread chunks make the close a reset, which may discard the answer before it is read
                status = "";
            }
        }
        assertThat(sent).as("bytes sent before the connection was closed").isLessThan(200L << 20);
        assertThat(status).isIn("HTTP/1.1 401", "");
    }
}
