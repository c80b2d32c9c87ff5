package com.spendsync.allinone.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;

/**
 * A made-up key that no view knows costs a MongoDB lookup once, then is answered from the unknown-key cache; a key
 * created meanwhile is never hidden by it, even when presented and refused before any view had it.
 */
class UnknownKeyFloodTest {

    @Test
    void unknownKeysAreRememberedAndNewKeysAreNot() {
        try (SpendSyncInstance instance = SpendSyncInstance.builder().start()) {
            Api api = instance.api();
            MeterRegistry meters = instance.bean(MeterRegistry.class);
            String madeUp = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();

            assertThat(api.verify(madeUp).text("code")).isEqualTo("NOT_FOUND");
            double hits = cacheHits(meters);
            assertThat(api.verify(madeUp).text("code")).isEqualTo("NOT_FOUND");
            assertThat(cacheHits(meters)).as("answered without MongoDB").isEqualTo(hits + 1);

            EventProcessingConfiguration processing = instance.bean(EventProcessingConfiguration.class);
            StreamingEventProcessor redisView = processor(processing, "redis-validation-view");
            StreamingEventProcessor keyView = processor(processing, "key-query-view");
            redisView.shutDown();
            keyView.shutDown();
            String created;
            try {
                created = api.createKey(Map.of("ownerId", "flood", "name", "new",
                        "permissions", List.of("payments:read"))).text("key");
                assertThat(api.verify(created).text("code")).as("no view has it yet").isEqualTo("NOT_FOUND");
                double before = cacheHits(meters);
                assertThat(api.verify(created).text("code")).isEqualTo("NOT_FOUND");
                assertThat(cacheHits(meters)).as("a created secret is never remembered as unknown").isEqualTo(before);
            } finally {
                keyView.start();
            }
            // found in the MongoDB view as soon as it is there, though the Redis view is still paused
            await().atMost(Duration.ofSeconds(20)).untilAsserted(
                    () -> assertThat(api.verify(created).text("code")).isEqualTo("VALID"));
            redisView.start();
        }
    }

    private static StreamingEventProcessor processor(EventProcessingConfiguration processing, String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class).orElseThrow();
    }

    private static double cacheHits(MeterRegistry meters) {
        return meters.get("cache.gets").tags("cache", "unknown-keys", "result", "hit").functionCounter().count();
    }
}
