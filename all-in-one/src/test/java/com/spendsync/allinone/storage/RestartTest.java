package com.spendsync.allinone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded default keeps its data: after a restart every key and event is still there. */
class RestartTest {

    @Test
    void keysEventsAndPendingDeadlinesSurviveARestart() {
        Path dataDirectory;
        ApiKeySecret root;
        String longLivedKey;
        String expiringKeyId;
        String expiringKey;
        Instant expiresAt;
        try (SpendSyncInstance first = SpendSyncInstance.builder().start()) {
            expiresAt = Instant.now().plusSeconds(3);
            Api api = first.api();
            root = first.rootKey();
            dataDirectory = first.dataDirectory();
            longLivedKey = api.createKey(Map.of("ownerId", "restart", "name", "survivor",
                    "permissions", List.of("payments:read"))).text("key");
            Api.Reply expiring = api.createKey(Map.of("ownerId", "restart", "name", "expires while down",
                    "permissions", List.of(), "expiresAt", expiresAt.toString()));
            expiringKeyId = expiring.text("keyId");
            expiringKey = expiring.text("key");
            awaitCode(api, longLivedKey, "VALID");
            awaitCode(api, expiringKey, "VALID");
        }
        Instant expiry = expiresAt;
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiry));

        try (SpendSyncInstance second = SpendSyncInstance.builder().dataDirectory(dataDirectory).rootKey(root).start();
             EventStoreProbe eventStore = new EventStoreProbe(second.mongoUri())) {
            Api api = second.api();

            assertThat(api.verify(longLivedKey, "payments:read").text("code")).isEqualTo("VALID");
            assertThat(api.verify(expiringKey).text("code")).isEqualTo("EXPIRED");
            // the expiry came due while the process was down; the persisted deadline still records it
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventStore
                    .lifecycleTypesOf(expiringKeyId)).containsExactly("ApiKeyCreatedEvent", "ApiKeyExpiredEvent"));
            assertThat(eventStore.lifecycleTypesOf("key_bootstrapRootKey000000"))
                    .containsExactly("ApiKeyCreatedEvent");
        }
    }

    private static void awaitCode(Api api, String key, String code) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo(code));
    }
}
