package com.spendsync.allinone.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.query.verify.NonBlockingVerifyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Behind a trusted proxy ({@code SPENDSYNC_TRUSTED_PROXIES}), the client a verification without {@code source} comes
 * from is the one {@code X-Forwarded-For} names, on both ports alike: what a key's allowlist is checked against.
 */
class ForwardedClientTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SpendSyncInstance instance;
    private static List<String> ports;

    @BeforeAll
    static void start() {
        instance = SpendSyncInstance.builder().property("SPENDSYNC_VERIFY_PORT", "0")
                .property("SPENDSYNC_TRUSTED_PROXIES", "127.0.0.1").start();
        ports = List.of(instance.api().baseUri(),
                "http://127.0.0.1:" + instance.bean(NonBlockingVerifyServer.class).port());
    }

    @AfterAll
    static void stop() {
        instance.close();
    }

    @Test
    void theForwardedClientIsTheSourceAnAllowlistIsCheckedAgainst() {
        Api api = instance.api();
        String key = api.createKey(Map.of("ownerId", "forwarded", "name", "k", "permissions", List.of(),
                "allowedSources", List.of("203.0.113.0/24"))).text("key");
        await().atMost(Duration.ofSeconds(10)).until(() -> code(ports.get(0), key, "203.0.113.5").equals("VALID"));

        for (String port : ports) {
            assertThat(code(port, key, "203.0.113.5")).as(port).isEqualTo("VALID");
            assertThat(code(port, key, "6.6.6.6")).as(port).isEqualTo("FORBIDDEN_SOURCE");
            assertThat(code(port, key, "203.0.113.5, 6.6.6.6")).as(port + ": the hop nearest the proxy counts")
                    .isEqualTo("FORBIDDEN_SOURCE");
            assertThat(code(port, key, null)).as(port + ": the proxy itself").isEqualTo("FORBIDDEN_SOURCE");
        }
    }

    private static String code(String base, String key, String forwardedFor) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/keys/verify"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + instance.rootKey().reveal())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}"));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return Api.JSON.readTree(response.body()).path("code").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
