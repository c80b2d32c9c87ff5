package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.spendsync.embedded.EmbeddedMongo;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TTL index deletes what has expired in the background, through the normal delete path. */
class TtlIndexTest {

    @TempDir
    Path temp;

    @Test
    void expiredDocumentsAreDeletedByTheSweepAndTheOthersStay() throws Exception {
        EmbeddedMongo.Options options = EmbeddedMongo.Options.defaults().withNoTableScan(true)
                .withTtlInterval(Duration.ofMillis(200));
        try (EmbeddedMongo mongo = EmbeddedMongo.start(temp, 0, options);
             MongoClient client = MongoClients.create(mongo.uri())) {
            MongoCollection<Document> audit = client.getDatabase("app").getCollection("audit");
            audit.createIndex(Indexes.ascending("at"), new IndexOptions().expireAfter(60L, TimeUnit.SECONDS));
            audit.createIndex(Indexes.ascending("keyId"));
            Date old = Date.from(Instant.now().minusSeconds(3600));
            Date fresh = Date.from(Instant.now());
            audit.insertMany(List.of(
                    new Document("_id", "old").append("at", old).append("keyId", "k1"),
                    new Document("_id", "oldInArray").append("at", List.of(fresh, old)).append("keyId", "k1"),
                    new Document("_id", "fresh").append("at", fresh).append("keyId", "k1"),
                    new Document("_id", "notADate").append("at", "2001-01-01").append("keyId", "k1"),
                    new Document("_id", "noField").append("keyId", "k1")));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(audit.find(eq("keyId", "k1")).map(d -> d.getString("_id")).into(new ArrayList<>()))
                            .containsExactlyInAnyOrder("fresh", "notADate", "noField"));
            // the other index saw the deletes: it finds only what is left
            assertThat(audit.countDocuments(eq("keyId", "k1"))).isEqualTo(3);
            assertThat(audit.countDocuments(eq("at", old))).isZero();
        }
    }

    @Test
    void aDroppedTtlIndexNoLongerExpiresAnything() throws Exception {
        EmbeddedMongo.Options options = sweptOnlyByHand();
        try (EmbeddedMongo mongo = EmbeddedMongo.start(temp, 0, options);
             MongoClient client = MongoClients.create(mongo.uri())) {
            MongoCollection<Document> messages = client.getDatabase("app").getCollection("messages");
            messages.createIndex(Indexes.ascending("finishedAt"), new IndexOptions().expireAfter(1L, TimeUnit.SECONDS));
            messages.insertOne(new Document("finishedAt", Date.from(Instant.now().minusSeconds(10))));
            assertThat(mongo.sweepExpired()).isEqualTo(1);

            messages.insertOne(new Document("finishedAt", Date.from(Instant.now().minusSeconds(10))));
            messages.dropIndex("finishedAt_1");
            assertThat(mongo.sweepExpired()).isZero();
            assertThat(messages.countDocuments()).isEqualTo(1);
        }
    }

    @Test
    void aTtlIndexIsHonouredAfterARestart() throws Exception {
        EmbeddedMongo.Options options = sweptOnlyByHand();
        try (EmbeddedMongo mongo = EmbeddedMongo.start(temp, 0, options);
             MongoClient client = MongoClients.create(mongo.uri())) {
            MongoCollection<Document> messages = client.getDatabase("app").getCollection("messages");
            messages.createIndex(Indexes.ascending("finishedAt"), new IndexOptions().expireAfter(1L, TimeUnit.SECONDS));
            messages.insertOne(new Document("finishedAt", Date.from(Instant.now().minusSeconds(10))));
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.start(temp, 0, options)) {
            assertThat(mongo.sweepExpired()).isEqualTo(1);
        }
    }

    /** No sweep during the test (it calls sweepExpired itself), and whole-collection counts allowed. */
    private static EmbeddedMongo.Options sweptOnlyByHand() {
        return EmbeddedMongo.Options.defaults().withNoTableScan(false).withTtlInterval(Duration.ofHours(1));
    }
}
