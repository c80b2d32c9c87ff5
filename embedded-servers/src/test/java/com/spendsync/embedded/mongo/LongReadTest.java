package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Sorts.ascending;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that outlives many commits (a cursor paged slowly, an index built over a large collection) keeps the chunks
 * it still needs while writes and compaction free the chunks no one else reads.
 */
class LongReadTest {

    private static final int DOCUMENTS = 3_000;

    @TempDir
    Path temp;

    @Test
    void aCursorPagedAcrossRewritesAndCompactionsReadsEveryDocument() {
        try (TestServer server = TestServer.indexed(temp.resolve("mongo.mv"))) {
            MVStore store = server.backend().getMvStore();
            // chunks of a store in use for a while are older than the retention time: freed as soon as no one needs them
            store.setRetentionTime(0);
            MongoCollection<Document> events = server.collection("events");
            events.createIndex(Indexes.ascending("sequence"));
            List<Document> documents = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                documents.add(new Document("_id", i).append("sequence", i).append("payload", "x".repeat(300)));
            }
            events.insertMany(documents);
            store.commit();

            Set<Object> seen = new HashSet<>();
            try (MongoCursor<Document> cursor = events.find(gte("sequence", 0)).sort(ascending("sequence"))
                    .batchSize(100).iterator()) {
                seen.add(cursor.next().get("_id"));
                for (int round = 1; round <= 8; round++) {
                    // every index entry moves: the pages the cursor walks are dead in the current version
                    events.updateMany(gte("sequence", 0), Updates.inc("sequence", DOCUMENTS));
                    store.commit();
                    store.compact(100, 64 << 20);
                    store.commit();
                }
                cursor.forEachRemaining(document -> seen.add(document.get("_id")));
            }
            assertThat(seen).hasSize(DOCUMENTS);
            assertThat(events.countDocuments(gte("sequence", 8 * DOCUMENTS))).isEqualTo(DOCUMENTS);
        }
    }

    @Test
    void aCursorEndsItsReadWhenExhaustedOrKilledSoNoVersionIsKeptForever() {
        try (TestServer server = TestServer.indexed(temp.resolve("mongo.mv"))) {
            IndexedH2Backend backend = (IndexedH2Backend) server.backend();
            MongoCollection<Document> events = server.collection("events");
            events.createIndex(Indexes.ascending("sequence"));
            List<Document> documents = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                documents.add(new Document("_id", i).append("sequence", i));
            }
            events.insertMany(documents);

            try (MongoCursor<Document> read = events.find(gte("sequence", 0)).sort(ascending("sequence"))
                    .batchSize(100).iterator()) {
                read.forEachRemaining(document -> { });
            }
            assertThat(backend.endAbandonedReads()).as("an exhausted cursor ended its read itself").isZero();

            MongoCursor<Document> abandoned = events.find(gte("sequence", 0)).sort(ascending("sequence"))
                    .batchSize(100).iterator();
            abandoned.next();
            assertThat(backend.endAbandonedReads()).as("a cursor still open keeps its read").isZero();
            abandoned.close();
            assertThat(backend.endAbandonedReads()).as("a killed cursor's read ends").isEqualTo(1);
            assertThat(backend.endAbandonedReads()).isZero();
        }
    }
}
