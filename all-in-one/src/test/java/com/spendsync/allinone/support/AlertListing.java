package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.stream.StreamSupport;

/** GET /v1/alerts as a test reads it: one alert by its id, once the alerting projector has raised it. */
public final class AlertListing {

    private static final Duration PROJECTION = Duration.ofSeconds(10);

    private AlertListing() {
    }

    /** The alert as listed now, or null. */
    public static JsonNode find(Api api, String alertId) {
        return StreamSupport.stream(api.get("/v1/alerts?limit=200").json().path("items").spliterator(), false)
                .filter(item -> item.path("alertId").asText().equals(alertId)).findFirst().orElse(null);
    }

    public static JsonNode awaitAlert(Api api, String alertId) {
        return await().atMost(PROJECTION).until(() -> find(api, alertId), alert -> alert != null);
    }

    /** The alert once it has been raised {@code count} times. */
    public static JsonNode awaitCount(Api api, String alertId, long count) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(PROJECTION).untilAsserted(() -> {
            found[0] = find(api, alertId);
            assertThat(found[0]).as("alert " + alertId).isNotNull();
            assertThat(found[0].path("count").asLong()).as("count of " + alertId).isEqualTo(count);
        });
        return found[0];
    }
}
