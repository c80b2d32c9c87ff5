package com.spendsync.allinone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.Filters;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.common.caching.Cache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A key with a long history is snapshotted, and loads from its snapshot once it has left the aggregate cache. */
@ExtendWith(SharedSpendSync.class)
class SnapshotTest {

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void aLongHistoryIsSnapshottedAndTheSnapshotLoads() {
        Api api = instance.api();
        String keyId = api.createKey(Map.of("ownerId", "snapshots", "name", "v0",
                "permissions", List.of("payments:read"), "metadata", Map.of("team", "ledger"))).text("keyId");
        for (int version = 1; version <= 60; version++) {
            assertThat(api.patch("/v1/keys/" + keyId, Map.of("name", "v" + version)).status()).isEqualTo(200);
        }
        try (EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> eventStore.client()
                    .getDatabase(EventStoreProbe.AUDIT_DATABASE).getCollection("snapshotevents")
                    .countDocuments(Filters.eq("aggregateIdentifier", keyId)) > 0);
        }

        instance.bean(Cache.class).removeAll();
        Api.Reply afterReload = api.patch("/v1/keys/" + keyId, Map.of("permissions", List.of("ledger:read")));

        assertThat(afterReload.status()).isEqualTo(200);
        assertThat(afterReload.text("name")).isEqualTo("v60");
        assertThat(afterReload.json().path("metadata").path("team").asText()).isEqualTo("ledger");
        assertThat(afterReload.json().path("permissions").toString()).isEqualTo("[\"ledger:read\"]");
    }
}
