package com.spendsync.allinone.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain HTTP client for the public API, as a gateway or an operator would call it. */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUri;
    private final String rootKey;

    public Api(String baseUri, String rootKey) {
        this.baseUri = baseUri;
        this.rootKey = rootKey;
    }

    public String baseUri() {
        return baseUri;
    }

    /** Calls made with the bootstrap root key, which holds {@code *}. */
    public Reply post(String path, Object body) {
        return send("POST", path, body, rootKey);
    }

    public Reply patch(String path, Object body) {
        return send("PATCH", path, body, rootKey);
    }

    public Reply get(String path) {
        return send("GET", path, null, rootKey);
    }

    /**
     * Sends a request with any credential (null for none). The body is sent as-is when it is a String, else as JSON.
     */
    public Reply send(String method, String path, Object body, String bearer) {
        return sendWithAuthorization(method, path, body, bearer == null ? null : "Bearer " + bearer);
    }

    /** Sends a request with a raw Authorization header value (null for none). */
    public Reply sendWithAuthorization(String method, String path, Object body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body instanceof String text ? text : json(body)));
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the contract's calls, with the bootstrap root key

    public Reply createKey(Map<String, Object> body) {
        return post("/v1/keys", body);
    }

    public Reply verify(String key, Object... requiredPermissions) {
        return post("/v1/keys/verify", Map.of("key", key, "permissions", requiredPermissions));
    }

    public Reply rotate(String keyId, Long gracePeriodSeconds) {
        return post("/v1/keys/" + keyId + "/rotate",
                gracePeriodSeconds == null ? Map.of() : Map.of("gracePeriodSeconds", gracePeriodSeconds));
    }

    public Reply revoke(String keyId) {
        return post("/v1/keys/" + keyId + "/revoke", Map.of("reason", "test revocation"));
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Reply(int status, Map<String, java.util.List<String>> headers, String body) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        public String text(String field) {
            return json().path(field).asText(null);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
