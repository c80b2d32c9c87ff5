package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Sorts.ascending;
import static com.spendsync.embedded.mongo.TestServer.docsExamined;
import static com.spendsync.embedded.mongo.TestServer.stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexes live in the H2 file: kept across a clean restart, rebuilt after a crash or from a stock store. */
class IndexPersistenceTest {

    private static final Bson KEY_FILTER = and(eq("keyId", "k7"), gte("sequence", 5));

    @TempDir
    Path temp;

    private Path file() {
        return temp.resolve("mongo.mv");
    }

    private static void seed(MongoCollection<Document> events) {
        events.insertMany(seeded());
    }

    private static List<Document> seeded() {
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            documents.add(new Document("_id", i).append("keyId", "k" + (i % 10)).append("sequence", i / 10)
                    .append("hashes", List.of("h" + i)));
        }
        return documents;
    }

    private static void createIndexes(MongoCollection<Document> events) {
        events.createIndex(Indexes.ascending("keyId", "sequence"), new IndexOptions().unique(true));
        events.createIndex(Indexes.ascending("hashes"));
    }

    private static void assertServedAndRight(TestServer server) {
        MongoCollection<Document> events = server.collection("events");
        assertThat(events.find(KEY_FILTER).sort(ascending("sequence")).map(d -> d.getInteger("_id")).into(new ArrayList<>()))
                .hasSize(45).startsWith(57, 67).endsWith(497);
        assertThat(events.find(eq("hashes", "h123")).first()).containsEntry("_id", 123);
        Document explain = server.explainFind("events", KEY_FILTER, ascending("sequence"), 0);
        assertThat(stages(explain)).containsExactly("FETCH", "IXSCAN");
        assertThat(docsExamined(explain)).isEqualTo(45);
        assertThatThrownBy(() -> events.insertOne(new Document("keyId", "k7").append("sequence", 5)))
                .isInstanceOfSatisfying(MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
    }

    @Test
    void aCleanRestartTrustsTheStoredIndexes() {
        try (TestServer server = TestServer.indexed(file())) {
            createIndexes(server.collection("events"));
            seed(server.collection("events"));
            assertThat(((IndexedH2Backend) server.backend()).indexesRebuiltAtStart()).isTrue();
        }
        try (TestServer server = TestServer.indexed(file())) {
            assertThat(((IndexedH2Backend) server.backend()).indexesRebuiltAtStart()).isFalse();
            assertServedAndRight(server);
        }
    }

    @Test
    void aCrashRebuildsTheIndexesFromTheDocuments() {
        TestServer crashed = TestServer.indexed(file());
        createIndexes(crashed.collection("events"));
        seed(crashed.collection("events"));
        // what a crash can leave: documents on disk whose index entries never made it
        MVStore store = crashed.backend().getMvStore();
        store.openMap("test.events._ordered_index_keyId_1_sequence_1").clear();
        store.openMap("test.events._ordered_index_hashes_1").clear();
        store.commit();
        crashed.crash();

        try (TestServer server = TestServer.indexed(file())) {
            assertThat(((IndexedH2Backend) server.backend()).indexesRebuiltAtStart()).isTrue();
            assertServedAndRight(server);
        }
    }

    @Test
    void anIndexCreatedOnExistingDataHoldsItAndAUniqueOneRefusesDuplicatesThere() {
        try (TestServer server = TestServer.indexed(file())) {
            MongoCollection<Document> events = server.collection("events");
            seed(events);
            events.insertOne(new Document("_id", "twin").append("keyId", "k1").append("sequence", 0).append("hashes", List.of()));
            assertThatThrownBy(() -> events.createIndex(Indexes.ascending("keyId", "sequence"), new IndexOptions().unique(true)))
                    .isInstanceOfSatisfying(MongoServerException.class, e -> assertThat(e.getCode()).isEqualTo(11000))
                    .hasMessageContaining("E11000");
            events.deleteOne(eq("_id", "twin"));
            createIndexes(events);
            assertServedAndRight(server);
        }
    }

    @Test
    void aDroppedIndexIsGoneAndStaysGone() {
        try (TestServer server = TestServer.indexed(file())) {
            MongoCollection<Document> events = server.collection("events");
            createIndexes(events);
            seed(events);
            events.dropIndex("hashes_1");
            assertThat(stages(server.explainFind("events", eq("hashes", "h1"), null, 0))).containsExactly("COLLSCAN");
            assertThat(events.find(eq("hashes", "h1")).first()).containsEntry("_id", 1);
            assertThat(server.backend().getMvStore().hasMap("test.events._ordered_index_hashes_1")).isFalse();
        }
        try (TestServer server = TestServer.indexed(file())) {
            assertThat(server.collection("events").listIndexes().map(d -> d.getString("name")).into(new ArrayList<>()))
                    .containsExactlyInAnyOrder("_id_", "keyId_1_sequence_1");
            assertThat(stages(server.explainFind("events", eq("hashes", "h1"), null, 0))).containsExactly("COLLSCAN");
        }
    }

    @Test
    void aStoreWrittenByTheStockBackendOpensIndexedAndGoesBackToIt() {
        try (TestServer stock = TestServer.stock(file())) {
            createIndexes(stock.collection("events"));
            seed(stock.collection("events"));
        }
        try (TestServer server = TestServer.indexed(file())) {
            assertThat(((IndexedH2Backend) server.backend()).indexesRebuiltAtStart()).isTrue();
            assertServedAndRight(server);
            server.collection("events").insertOne(new Document("_id", 1000).append("keyId", "k7").append("sequence", 1000));
        }
        try (TestServer stock = TestServer.stock(file())) {
            MongoCollection<Document> events = stock.collection("events");
            assertThat(events.countDocuments(KEY_FILTER)).isEqualTo(46);
            assertThatThrownBy(() -> events.insertOne(new Document("keyId", "k7").append("sequence", 1000)))
                    .isInstanceOfSatisfying(MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
        }
    }

    @Test
    void aStoreWithMuchFreeSpaceIsCompactedAtStartWithEveryDocumentAndIndexIntact() throws Exception {
        try (TestServer server = TestServer.indexed(file())) {
            MongoCollection<Document> bulk = server.collection("bulk");
            bulk.createIndex(Indexes.ascending("owner"));
            for (int batch = 0; batch < 60; batch++) {
                List<Document> documents = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    documents.add(new Document("_id", batch * 200 + i).append("owner", "owner-" + batch)
                            .append("payload", "x".repeat(200)));
                }
                bulk.insertMany(documents);
            }
            createIndexes(server.collection("events"));
            seed(server.collection("events"));
            // the dropped collection's chunks come before the kept one's: free space the file cannot give back by
            // itself: compaction while the store is in use reuses free space but does not shrink the file
            bulk.drop();
        }
        long grown = Files.size(file());
        MVStore closed = new MVStore.Builder().fileName(file().toString()).readOnly().open();
        String before = "before the start: " + closed.getFileStore().getChunksFillRate() + "% live in chunks, chunks "
                + closed.getFileStore().getFillRate() + "% of the file";
        closed.close();

        try (TestServer server = TestServer.indexed(file())) {
            // the copy holds the live pages only, and is done before the store opens
            assertThat(Files.size(file())).as("grown to %d bytes, %s", grown, before).isLessThan(grown / 4);
            assertThat(server.backend().getMvStore().getFileStore().getChunksFillRate()).isGreaterThanOrEqualTo(50);
            assertThat(server.collection("events").find().sort(ascending("_id")).into(new ArrayList<>()))
                    .isEqualTo(seeded());
            assertServedAndRight(server);
        }
        try (TestServer server = TestServer.indexed(file())) {
            assertThat(((IndexedH2Backend) server.backend()).indexesRebuiltAtStart()).isFalse();
            assertServedAndRight(server);
        }
    }

    @Test
    void aCompactionCutShortByACrashLeavesTheStoreAsItWas() throws Exception {
        // the copy is written beside the store and renamed over it only when complete
        assertWholeAfterAStartThatFinds(".tempFile", copy -> Files.write(copy, new byte[8192]));
    }

    @Test
    void aCompactionCutShortBetweenItsRenamesIsFinishedAtTheNextStart() throws Exception {
        // where the file system cannot rename over a file, the copy is renamed aside, the store deleted, then the copy
        // renamed into its place: a crash between the last two leaves only the copy
        assertWholeAfterAStartThatFinds(".newFile", copy -> Files.move(file(), copy));
    }

    /** A seeded store, then what a cut-short compaction left beside it ({@code leave}), then a start. */
    private void assertWholeAfterAStartThatFinds(String suffix, Leftover leave) throws Exception {
        try (TestServer server = TestServer.indexed(file())) {
            createIndexes(server.collection("events"));
            seed(server.collection("events"));
        }
        Path copy = Path.of(file() + suffix);
        leave.at(copy);
        try (TestServer server = TestServer.indexed(file())) {
            assertThat(copy).doesNotExist();
            assertThat(server.collection("events").find().sort(ascending("_id")).into(new ArrayList<>()))
                    .isEqualTo(seeded());
            assertServedAndRight(server);
        }
    }

    private interface Leftover {
        void at(Path copy) throws Exception;
    }
}
