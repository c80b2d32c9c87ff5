package com.spendsync.command.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Events and snapshots stored before limits had names hold one {@code rateLimit}: read, with the mappers the event
 * store uses, as that one limit, named default and the key's own.
 */
class StoredBeforeNamedLimitsTest {

    private static final String HASH = "ab".repeat(32);
    private static final RateLimitPolicy ONE_LIMIT = new RateLimitPolicy(100, 60);

    @Test
    void aCreationRecordedWithOneLimitReadsAsThatLimitNamedDefault() throws Exception {
        ObjectMapper events = AxonMongoConfiguration.messageMapper();
        String stored = """
                {"keyId":"key_1","keyHash":"%s","prefix":"ss_live_abcd","environment":"live",
                 "ownerId":"acme","name":"k","permissions":[],"scope":null,"expiresAt":null,
                 "rateLimit":{"limit":100,"windowSeconds":60},"metadata":null,"createdAt":"2026-01-01T00:00:00Z"}
                """.formatted(HASH);

        ApiKeyCreatedEvent event = events.readValue(stored, ApiKeyCreatedEvent.class);

        assertThat(event.rateLimits()).containsExactly(new RateLimitPolicy("default", 100, 60, RateLimitSharing.KEY));
        assertThat(events.readValue(stored.replace("{\"limit\":100,\"windowSeconds\":60}", "null"),
                ApiKeyCreatedEvent.class).rateLimits()).isEmpty();
        JsonNode written = events.readTree(events.writeValueAsString(event));
        assertThat(written.path("rateLimits").get(0).path("shared").asText()).isEqualTo("key");
        assertThat(events.readValue(written.toString(), ApiKeyCreatedEvent.class)).isEqualTo(event);
    }

    @Test
    void anUpdateRecordedWithOneLimitReadsAsThatLimit() throws Exception {
        String stored = """
                {"keyId":"key_1","keyHash":"%s","previousKeyHash":null,"name":"k","permissions":[],
                 "scope":null,"metadata":null,"rateLimit":{"limit":100,"windowSeconds":60},"expiresAt":null,
                 "changedFields":["rateLimit"],"updatedAt":"2026-01-01T00:00:00Z"}
                """.formatted(HASH);

        ApiKeyUpdatedEvent event = AxonMongoConfiguration.messageMapper().readValue(stored, ApiKeyUpdatedEvent.class);

        assertThat(event.rateLimits()).containsExactly(ONE_LIMIT);
    }

    @Test
    void aSnapshotTakenWithOneLimitHoldsThatLimit() throws Exception {
        ObjectMapper snapshots = AxonMongoConfiguration.snapshotMapper();
        String stored = """
                {"keyId":"key_1","ownerId":"acme","status":"active","permissions":[],
                 "rateLimit":{"limit":100,"windowSeconds":60}}
                """;

        ApiKey aggregate = snapshots.readValue(stored, ApiKey.class);

        JsonNode written = snapshots.readTree(snapshots.writeValueAsString(aggregate));
        assertThat(snapshots.convertValue(written.path("rateLimits"), RateLimitPolicy[].class))
                .containsExactly(ONE_LIMIT);
        assertThat(written.has("rateLimit")).isFalse();
        assertThat(snapshots.readValue(written.toString(), ApiKey.class)).usingRecursiveComparison()
                .isEqualTo(aggregate);
        // a key without a limit was snapshotted with "rateLimit": null, and one taken since may hold no field at all
        assertThat(List.of(snapshots.readValue("{\"keyId\":\"key_2\",\"rateLimit\":null}", ApiKey.class),
                        snapshots.readValue("{\"keyId\":\"key_3\",\"rateLimits\":null}", ApiKey.class),
                        snapshots.readValue("{\"keyId\":\"key_4\"}", ApiKey.class)))
                .extracting(key -> snapshots.valueToTree(key).path("rateLimits").isArray()
                        && snapshots.valueToTree(key).path("rateLimits").isEmpty())
                .containsExactly(true, true, true);
    }
}
