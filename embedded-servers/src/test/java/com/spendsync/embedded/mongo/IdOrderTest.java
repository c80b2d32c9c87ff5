package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;
import static com.spendsync.embedded.mongo.TestServer.docsExamined;
import static com.spendsync.embedded.mongo.TestServer.stages;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranges and sorts on _id, which MongoDB's _id index serves (the late-commit sweep reads the event store by ObjectId
 * range in insertion order; a full read walks _id), are served by an index here too, also under no-table-scan,
 * after a restart and after the collection is dropped and created again.
 */
class IdOrderTest {

    private static final int DOCUMENTS = 500;

    @TempDir
    Path temp;

    @Test
    void anIdRangeInIdOrderIsAnIndexWalkThatStopsAtItsEnd() {
        try (TestServer server = TestServer.indexed(temp.resolve("mongo.mv"), true, Duration.ofMinutes(1))) {
            List<ObjectId> ids = fill(server.collection("events"));

            List<ObjectId> found = new ArrayList<>();
            server.collection("events").find(and(gt("_id", ids.get(99)), lte("_id", ids.get(109))))
                    .sort(ascending("_id")).forEach(document -> found.add(document.getObjectId("_id")));

            assertThat(found).containsExactlyElementsOf(ids.subList(100, 110));
            Document explain = server.explainFind("events", and(gt("_id", ids.get(99)), lte("_id", ids.get(109))),
                    ascending("_id"), 0);
            assertThat(stages(explain)).contains("IXSCAN").doesNotContain("COLLSCAN");
            assertThat(docsExamined(explain)).isLessThanOrEqualTo(11);
        }
    }

    @Test
    void aWholeReadSortedByIdIsServedAndKeepsItsOrderAcrossARestart() {
        Path file = temp.resolve("mongo.mv");
        List<ObjectId> ids;
        try (TestServer server = TestServer.indexed(file, true, Duration.ofMinutes(1))) {
            ids = fill(server.collection("events"));
        }
        try (TestServer server = TestServer.indexed(file, true, Duration.ofMinutes(1))) {
            List<ObjectId> read = new ArrayList<>();
            server.collection("events").find().sort(ascending("_id")).limit(DOCUMENTS)
                    .forEach(document -> read.add(document.getObjectId("_id")));
            assertThat(read).containsExactlyElementsOf(ids);
        }
    }

    @Test
    void aDroppedCollectionCanBeCreatedAgainAndIsIndexedAfresh() {
        try (TestServer server = TestServer.indexed(temp.resolve("mongo.mv"), true, Duration.ofMinutes(1))) {
            MongoCollection<Document> events = server.collection("events");
            fill(events);
            events.drop();
            List<ObjectId> again = fill(events);

            List<ObjectId> read = new ArrayList<>();
            events.find().sort(ascending("_id")).forEach(document -> read.add(document.getObjectId("_id")));
            assertThat(read).containsExactlyElementsOf(again);
            assertThat(events.listIndexes().map(index -> index.getString("name")).into(new ArrayList<>()))
                    .as("the ordered twin of _id is the server's own, not a listed index").containsExactly("_id_");
        }
    }

    private static List<ObjectId> fill(MongoCollection<Document> events) {
        List<ObjectId> ids = IntStream.range(0, DOCUMENTS).mapToObj(i -> new ObjectId()).toList();
        events.insertMany(ids.stream().map(id -> new Document("_id", id).append("type", "Used")).toList());
        return ids;
    }
}
