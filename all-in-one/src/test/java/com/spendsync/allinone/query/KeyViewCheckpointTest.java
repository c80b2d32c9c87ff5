package com.spendsync.allinone.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A key's state at an instant starts from the newest checkpoint of its view before that instant, and gives the same
 * answer as a fold of the whole history.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyViewCheckpointTest {

    private static final int INTERVAL = 3;

    private SpendSyncInstance instance;
    private Api api;
    private EventStoreProbe eventStore;
    private MongoCollection<Document> views;
    private MongoCollection<Document> checkpoints;

    @BeforeAll
    void start() {
        instance = SpendSyncInstance.builder()
                .property("spendsync.key-checkpoint-interval", Integer.toString(INTERVAL)).start();
        api = instance.api();
        eventStore = new EventStoreProbe(instance.mongoUri());
        views = eventStore.client().getDatabase("spendsync").getCollection("api_keys");
        checkpoints = eventStore.client().getDatabase("spendsync").getCollection("api_keys_checkpoints");
    }

    @AfterAll
    void stop() {
        eventStore.close();
        instance.close();
    }

    @Test
    void theStateAtEveryInstantIsTheSameFromCheckpointsAsFromTheWholeHistory() {
        String keyId = createKey();
        for (int i = 1; i <= 10; i++) {
            assertThat(api.patch("/v1/keys/" + keyId, Map.of("name", "name-" + i)).status()).isEqualTo(200);
        }
        List<Instant> timestamps = awaitVersion(keyId, 10);
        List<Document> kept = checkpointsOf(keyId);

        assertThat(kept).extracting(checkpoint -> checkpoint.getLong("version") / INTERVAL)
                .as("one checkpoint each time the view passes a multiple of the interval").containsExactly(1L, 2L, 3L);
        for (Document checkpoint : kept) {
            assertThat(checkpoint.getDate("foldedUntil").toInstant())
                    .isEqualTo(upToTheMillisecond(timestamps.get(checkpoint.getLong("version").intValue())));
        }
        for (int version = 0; version <= 10; version++) {
            String expected = version == 0 ? "checkpointed" : "name-" + version;
            assertThat(stateAt(keyId, timestamps.get(version)).path("name").asText()).isEqualTo(expected);
        }

        // a checkpoint altered in storage shows in the answers that start from it, and only in those
        Document newest = kept.get(kept.size() - 1);
        checkpoints.updateOne(Filters.eq("_id", newest.get("_id")), Updates.set("view.ownerId", "from-checkpoint"));
        int newestVersion = newest.getLong("version").intValue();
        assertThat(stateAt(keyId, timestamps.get(10)).path("ownerId").asText()).isEqualTo("from-checkpoint");
        assertThat(stateAt(keyId, timestamps.get(newestVersion - 1)).path("ownerId").asText())
                .isNotEqualTo("from-checkpoint");
    }

    @Test
    void aViewStoredBeforeItKnewItsTimestampsLearnsThemFromTheStreamAtItsNextCheckpoint() {
        String keyId = createKey();
        awaitVersion(keyId, 0);
        views.updateOne(Filters.eq("_id", keyId), Updates.unset("foldedUntil"));

        for (int i = 1; i <= INTERVAL; i++) {
            api.patch("/v1/keys/" + keyId, Map.of("name", "name-" + i));
        }
        List<Instant> timestamps = awaitVersion(keyId, INTERVAL);

        assertThat(checkpointsOf(keyId)).singleElement().satisfies(checkpoint -> assertThat(
                checkpoint.getDate("foldedUntil").toInstant()).isEqualTo(upToTheMillisecond(timestamps.get(INTERVAL))));
        assertThat(views.find(Filters.eq("_id", keyId)).first().getDate("foldedUntil").toInstant())
                .isEqualTo(upToTheMillisecond(timestamps.get(INTERVAL)));
    }

    private static Instant upToTheMillisecond(Instant instant) {
        Instant millis = instant.truncatedTo(ChronoUnit.MILLIS);
        return millis.equals(instant) ? instant : millis.plusMillis(1);
    }

    private String createKey() {
        return api.createKey(Map.of("ownerId", "checkpoints-" + UUID.randomUUID(), "name", "checkpointed",
                "permissions", List.of("payments:read"))).text("keyId");
    }

    /** The timestamps of the key's events by sequence, once the view has folded the one at {@code version}. */
    private List<Instant> awaitVersion(String keyId, long version) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Document view = views.find(Filters.eq("_id", keyId)).first();
            return view != null && view.getLong("version") == version;
        });
        List<Instant> timestamps = new ArrayList<>();
        api.get("/v1/keys/" + keyId + "/events").json().path("items")
                .forEach(entry -> timestamps.add(Instant.parse(entry.path("timestamp").asText())));
        return timestamps;
    }

    private List<Document> checkpointsOf(String keyId) {
        List<Document> kept = checkpoints.find(Filters.eq("keyId", keyId)).into(new ArrayList<>());
        kept.sort(Comparator.comparing(checkpoint -> checkpoint.getLong("version")));
        return kept;
    }

    private JsonNode stateAt(String keyId, Instant at) {
        Api.Reply reply = api.get("/v1/keys/" + keyId + "/state?at=" + at);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json();
    }
}
