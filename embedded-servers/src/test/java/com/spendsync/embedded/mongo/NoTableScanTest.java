package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.regex;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoQueryException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import com.spendsync.embedded.EmbeddedMongo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** No-table-scan mode refuses, with MongoDB's error 291, every read of a user collection that no index serves. */
class NoTableScanTest {

    @TempDir
    Path temp;

    private TestServer server;
    private MongoCollection<Document> keys;

    @BeforeEach
    void start() {
        server = TestServer.indexed(temp.resolve("mongo.mv"), true, Duration.ofMinutes(1));
        keys = server.collection("keys");
        keys.createIndex(Indexes.ascending("owner", "createdAt"));
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            documents.add(new Document("_id", "k" + i).append("owner", "o" + (i % 3)).append("createdAt", i)
                    .append("state", i % 2 == 0 ? "ACTIVE" : "REVOKED"));
        }
        keys.insertMany(documents);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsAnIndexServesAreAnswered() {
        assertThat(keys.find(eq("owner", "o1")).into(new ArrayList<>())).hasSize(7);
        assertThat(keys.find(and(eq("owner", "o1"), eq("state", "ACTIVE"))).into(new ArrayList<>())).hasSize(3);
        assertThat(keys.find().sort(descending("owner", "createdAt")).limit(1).first()).containsEntry("_id", "k17");
        assertThat(keys.find(eq("_id", "k3")).first()).containsEntry("owner", "o0");
        assertThat(keys.countDocuments(eq("owner", "o2"))).isEqualTo(6);
        assertThat(keys.estimatedDocumentCount()).isEqualTo(20);
        keys.updateMany(eq("owner", "o0"), Updates.set("state", "GONE"));
        keys.deleteOne(eq("_id", "k0"));
        assertThat(keys.countDocuments(and(eq("owner", "o0"), eq("state", "GONE")))).isEqualTo(6);
    }

    @Test
    void everyKindOfReadNoIndexServesIsRefusedNamingTheCollectionFilterAndSort() {
        assertRefused(() -> keys.find(eq("state", "ACTIVE")).sort(ascending("createdAt")).first(),
                "Tree: { state: \"ACTIVE\" }", "{ createdAt: 1 }");
        assertRefused(() -> keys.find().into(new ArrayList<>()), "Tree: {}", "{}");
        assertRefused(() -> keys.find(ne("owner", "o1")).first(), "$ne", "{}");
        assertRefused(() -> keys.find(regex("owner", "^o")).first(), "$regex", "{}");
        assertRefused(() -> keys.find(gt("createdAt", 3)).first(), "createdAt", "{}");
        assertRefused(() -> keys.countDocuments(eq("state", "ACTIVE")), "state", "{}");
        assertRefused(() -> keys.distinct("state", String.class).into(new ArrayList<>()), "Tree: {}", "{}");
        assertRefused(() -> keys.aggregate(List.of(Aggregates.match(eq("state", "REVOKED")))).into(new ArrayList<>()),
                "state", "{}");
        assertRefused(() -> keys.updateOne(eq("state", "ACTIVE"), Updates.set("x", 1)), "state", "{}");
        assertRefused(() -> keys.deleteMany(eq("state", "ACTIVE")), "state", "{}");
        assertRefused(() -> keys.findOneAndDelete(eq("state", "ACTIVE")), "state", "{}");
    }

    private static void assertRefused(Executable read, String filterPart, String sort) {
        assertThatThrownBy(read::execute)
                .isInstanceOfAny(MongoQueryException.class, MongoCommandException.class, MongoWriteException.class)
                .satisfies(e -> {
                    MongoServerException error = (MongoServerException) e;
                    assertThat(error.getCode()).isEqualTo(291);
                    assertThat(error.getMessage()).contains("ns=test.keys").contains(filterPart)
                            .contains("Sort: " + sort)
                            .contains("notablescan");
                });
    }

    @Test
    void emptyAndSystemCollectionsAndTheSystemDatabasesAreNotRefused() {
        MongoCollection<Document> empty = server.collection("empty");
        empty.createIndex(Indexes.ascending("a"));
        assertThat(empty.find(eq("b", 1)).first()).isNull();
        assertThat(server.database().listCollectionNames().into(new ArrayList<>())).contains("keys");
        assertThat(keys.listIndexes().into(new ArrayList<>())).hasSize(2);
        MongoCollection<Document> config = server.collection("keys");
        assertThat(config.find(eq("owner", "o1")).first()).isNotNull();
    }

    @Test
    void itIsOffByDefaultAndTurnedOnByTheSystemProperty() throws Exception {
        String previous = System.getProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY);
        try {
            System.clearProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY);
            boolean environmentSaysOn = "true".equalsIgnoreCase(System.getenv(EmbeddedMongo.NO_TABLE_SCAN_ENV));
            assertThat(EmbeddedMongo.Options.defaults().noTableScan()).isEqualTo(environmentSaysOn);

            System.setProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY, "true");
            assertThat(EmbeddedMongo.Options.defaults().noTableScan()).isTrue();
            try (EmbeddedMongo mongo = EmbeddedMongo.start(temp.resolve("embedded"), 0);
                 MongoClient client = MongoClients.create(mongo.uri())) {
                MongoCollection<Document> things = client.getDatabase("app").getCollection("things");
                things.insertOne(new Document("a", 1));
                assertThatThrownBy(() -> things.find(eq("a", 1)).first())
                        .isInstanceOfSatisfying(MongoQueryException.class, e -> assertThat(e.getCode()).isEqualTo(291));
                MongoCollection<Document> admin = client.getDatabase("local").getCollection("things");
                admin.insertOne(new Document("a", 1));
                assertThat(admin.find(eq("a", 1)).first()).isNotNull();
            }
            System.setProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY, "false");
            assertThat(EmbeddedMongo.Options.defaults().noTableScan()).isFalse();
            assertThat(EmbeddedMongo.Options.defaults().withNoTableScan(true).noTableScan()).isTrue();
        } finally {
            if (previous == null) {
                System.clearProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY);
            } else {
                System.setProperty(EmbeddedMongo.NO_TABLE_SCAN_PROPERTY, previous);
            }
        }
    }
}
