package com.spendsync.allinone.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.axonframework.common.Registration;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Unknown and malformed keys at verification, and refused credentials, are counted per source and recorded in the
 * audit trail as one event per kind, source and window: a flood does not flood the event store.
 */
@ExtendWith(SharedSpendSync.class)
class AccessFailuresTest {

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void refusalsAreCountedPerSourceAndRecordedOncePerWindow() {
        Api api = instance.api();
        String source = "probe-" + UUID.randomUUID();
        String unknown = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();
        String malformed = unknown.substring(0, unknown.length() - 1) + (unknown.endsWith("a") ? "b" : "a");
        for (int i = 0; i < 30; i++) {
            api.post("/v1/keys/verify", Map.of("key", malformed, "source", source));
        }
        for (int i = 0; i < 20; i++) {
            api.post("/v1/keys/verify", Map.of("key", unknown, "source", source));
        }
        api.send("GET", "/v1/keys", null, null);

        instance.bean(AccessFailures.class).flush();

        // the scheduled flush may have split the counts over two windows: they add up all the same
        Map<String, Long> countByKind = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            countByKind.clear();
            JsonNode items = api.get("/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=" + source)
                    .json().path("items");
            for (JsonNode item : items) {
                assertThat(item.path("severity").asText()).isEqualTo("WARNING");
                assertThat(item.path("actor").asText()).isEqualTo("system:security");
                countByKind.merge(item.path("metadata").path("kind").asText(),
                        item.path("metadata").path("count").asLong(), Long::sum);
            }
            assertThat(countByKind).containsEntry(AccessFailures.MALFORMED_KEY, 30L)
                    .containsEntry(AccessFailures.UNKNOWN_KEY, 20L);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(
                "/v1/audit-logs?eventType=AccessFailuresObserved&resourceId=127.0.0.1").json().path("items")
                .findValuesAsText("kind").contains(AccessFailures.UNAUTHENTICATED));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aSourceCannotForgeALogLine(CapturedOutput output) {
        String marker = UUID.randomUUID().toString();
        String source = "probe-" + marker + "\nFAKE LOG LINE";
        // the event store refuses this source's refusals, so the warning that logs the source is written
        Registration refusing = instance.bean(EventGateway.class).registerDispatchInterceptor(messages ->
                (index, message) -> {
                    if (message.getPayload() instanceof AccessFailuresObservedEvent failures
                            && failures.source().contains(marker)) {
                        throw new IllegalStateException("the event store is unavailable");
                    }
                    return message;
                });
        try {
            assertThat(instance.api().post("/v1/keys/verify", Map.of("key", "not-a-key", "source", source))
                    .text("code")).isEqualTo("MALFORMED");
            instance.bean(AccessFailures.class).flush();

            await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains(marker));
        } finally {
            refusing.cancel();
        }
        assertThat(output.getAll()).contains("probe-" + marker + "\\nFAKE LOG LINE");
        assertThat(output.getAll().split("\\R")).noneMatch(line -> line.startsWith("FAKE"));
    }
}
