package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/** Reads GET /v1/alerts as an operator would. */
public final class AlertListing {

    private AlertListing() {
    }

    /** Now, to the millisecond alerts are listed with: a raise in the same millisecond is not before it. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The alert once it is listed. */
    public static JsonNode awaitAlert(Api api, String alertId) {
        return awaitAlert(api, alertId, alert -> true, "listed");
    }

    /** The alert once it is listed and {@code condition} holds for it. */
    public static JsonNode awaitAlert(Api api, String alertId, Predicate<JsonNode> condition, String description) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            found[0] = find(api, alertId);
            assertThat(found[0]).as("alert " + alertId).isNotNull();
            assertThat(condition.test(found[0])).as("alert " + alertId + " " + description + ": " + found[0])
                    .isTrue();
        });
        return found[0];
    }

    /** The alert once it has been raised {@code count} times. */
    public static JsonNode awaitCount(Api api, String alertId, long count) {
        return awaitAlert(api, alertId, alert -> alert.path("count").asLong() == count, "raised " + count + " times");
    }

    /** The alert as listed now, or null. */
    public static JsonNode find(Api api, String alertId) {
        return StreamSupport.stream(api.get("/v1/alerts?limit=200").json().path("items").spliterator(), false)
                .filter(item -> item.path("alertId").asText().equals(alertId)).findFirst().orElse(null);
    }

    /** The status of the alert's latest message on {@code channel}: pending, delivered, failed, not-sent, disabled. */
    public static String deliveryStatus(JsonNode alert, String channel) {
        return alert.path("deliveries").path(channel).path("status").asText();
    }
}
