package com.spendsync.allinone.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API speaks JSON only: a body in another format, or a request for an answer in one, is refused. */
@ExtendWith(SharedSpendSync.class)
class MediaTypeTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void anAnswerInYamlIsNotOffered() throws Exception {
        HttpResponse<String> reply = send("application/json", "application/yaml",
                Api.JSON.writeValueAsString(Map.of("key", "ss_live_notakey")));

        assertThat(reply.statusCode()).isEqualTo(406);
        assertThat(reply.body()).doesNotContain("code: ");
    }

    @Test
    void aBodyInYamlIsRefused() throws Exception {
        HttpResponse<String> reply = send("application/yaml", "application/json", "key: ss_live_notakey\n");

        assertThat(reply.statusCode()).isEqualTo(415);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void jsonIsAnsweredInJson() throws Exception {
        HttpResponse<String> reply = send("application/json", "*/*",
                Api.JSON.writeValueAsString(Map.of("key", "ss_live_notakey")));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(Api.JSON.readTree(reply.body()).path("code").asText()).isEqualTo("MALFORMED");
    }

    @Test
    void theOpenApiDocumentIsStillServedInYaml() {
        Api.Reply reply = instance.api().send("GET", "/v3/api-docs.yaml", null, null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).startsWith("openapi: ");
    }

    private static HttpResponse<String> send(String contentType, String accept, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(instance.api().baseUri() + "/v1/keys/verify"))
                .header("Authorization", "Bearer " + instance.rootKey().reveal())
                .header("Content-Type", contentType).header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
