package com.spendsync.embedded.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static com.spendsync.embedded.mongo.TestServer.docsExamined;
import static com.spendsync.embedded.mongo.TestServer.stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each query shape the planner serves, through the real driver: the results, and that an index served them
 * (the explain's plan and how many documents it examined).
 */
class IndexedQueriesTest {

    private static final int EVENTS = 2_000;
    private static final int AGGREGATES = 50;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    private TestServer server;
    private MongoCollection<Document> events;

    @BeforeEach
    void seed() {
        server = TestServer.indexed(temp.resolve("mongo.mv"));
        events = server.collection("events");
        events.createIndex(Indexes.ascending("aggregateIdentifier", "sequenceNumber"), new IndexOptions().unique(true));
        events.createIndex(Indexes.ascending("timestamp", "sequenceNumber"));
        events.createIndex(Indexes.compoundIndex(Indexes.ascending("type"), Indexes.descending("timestamp")));
        events.createIndex(Indexes.ascending("retiredSecrets.hash"));
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            documents.add(event(i));
        }
        events.insertMany(documents);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Document event(int i) {
        return new Document("_id", i)
                .append("aggregateIdentifier", "agg" + (i % AGGREGATES))
                .append("sequenceNumber", (long) (i / AGGREGATES))
                .append("timestamp", BASE.plusSeconds(i).toString())
                .append("type", i % 3 == 0 ? "Created" : "Used")
                .append("retiredSecrets", List.of(new Document("hash", "h" + i), new Document("hash", "x" + i)));
    }

    private static List<Integer> ids(Iterable<Document> documents) {
        List<Integer> ids = new ArrayList<>();
        documents.forEach(document -> ids.add(document.getInteger("_id")));
        return ids;
    }

    @Test
    void anEqualityPrefixAndARangeOnTheNextFieldReadOnlyWhatMatches() {
        Bson filter = and(eq("aggregateIdentifier", "agg7"), gte("sequenceNumber", 10L));

        List<Integer> found = ids(events.find(filter).sort(ascending("sequenceNumber")));

        List<Integer> expected = new ArrayList<>();
        for (int sequence = 10; sequence < EVENTS / AGGREGATES; sequence++) {
            expected.add(sequence * AGGREGATES + 7);
        }
        assertThat(found).isEqualTo(expected);
        Document explain = server.explainFind("events", filter, ascending("sequenceNumber"), 0);
        assertThat(stages(explain)).containsExactly("FETCH", "IXSCAN");
        assertThat(docsExamined(explain)).isEqualTo(expected.size());
    }

    @Test
    void aRangeSortedByTheIndexStopsAtTheLimit() {
        Bson filter = gt("timestamp", BASE.plusSeconds(100).toString());
        Bson sort = ascending("timestamp", "sequenceNumber");

        assertThat(ids(events.find(filter).sort(sort).limit(10))).containsExactly(101, 102, 103, 104, 105, 106, 107, 108, 109, 110);
        Document explain = server.explainFind("events", filter, sort, 10);
        assertThat(stages(explain)).doesNotContain("SORT", "COLLSCAN");
        assertThat(docsExamined(explain)).isLessThanOrEqualTo(10);
    }

    @Test
    void theIndexIsWalkedBackwardsForTheOppositeSort() {
        Bson filter = lt("timestamp", BASE.plusSeconds(500).toString());
        Bson sort = descending("timestamp", "sequenceNumber");

        assertThat(ids(events.find(filter).sort(sort).limit(3))).containsExactly(499, 498, 497);
        Document explain = server.explainFind("events", filter, sort, 3);
        assertThat(stages(explain)).doesNotContain("SORT");
        assertThat(explain.get("queryPlanner", Document.class).get("winningPlan", Document.class)
                .get("inputStage", Document.class).getString("direction")).isEqualTo("backward");
        assertThat(docsExamined(explain)).isLessThanOrEqualTo(3);
    }

    @Test
    void anEqualityPrefixServesASortOnTheNextField() {
        Bson filter = eq("type", "Created");

        assertThat(ids(events.find(filter).sort(descending("timestamp")).limit(2))).containsExactly(1998, 1995);
        Document explain = server.explainFind("events", filter, descending("timestamp"), 2);
        assertThat(stages(explain)).containsExactly("FETCH", "IXSCAN");
        assertThat(docsExamined(explain)).isLessThanOrEqualTo(2);
    }

    @Test
    void anEmptyFilterSortedByAnIndexedFieldIsAnIndexWalk() {
        Bson sort = descending("timestamp", "sequenceNumber");

        assertThat(ids(events.find().sort(sort).limit(2))).containsExactly(1999, 1998);
        assertThat(docsExamined(server.explainFind("events", new Document(), sort, 2))).isLessThanOrEqualTo(2);
    }

    @Test
    void inOnAnIndexedFieldReadsEachValue() {
        Bson filter = in("aggregateIdentifier", "agg1", "agg2");

        assertThat(events.countDocuments(filter)).isEqualTo(2L * EVENTS / AGGREGATES);
        Document explain = server.explainFind("events", filter, null, 0);
        assertThat(stages(explain)).containsExactly("FETCH", "IXSCAN");
        assertThat(docsExamined(explain)).isEqualTo(2L * EVENTS / AGGREGATES);
    }

    @Test
    void orIsTheUnionOfItsIndexedBranches() {
        Bson filter = or(eq("aggregateIdentifier", "agg1"), eq("retiredSecrets.hash", "h5"));

        assertThat(ids(events.find(filter))).hasSize(EVENTS / AGGREGATES + 1).contains(5, 1, 51);
        Document explain = server.explainFind("events", filter, null, 0);
        assertThat(stages(explain)).contains("OR").doesNotContain("COLLSCAN");
        assertThat(docsExamined(explain)).isEqualTo(EVENTS / AGGREGATES + 1);
    }

    @Test
    void anArrayFieldIsIndexedByEachElement() {
        Bson filter = eq("retiredSecrets.hash", "x33");

        assertThat(ids(events.find(filter))).containsExactly(33);
        assertThat(docsExamined(server.explainFind("events", filter, null, 0))).isEqualTo(1);
    }

    @Test
    void countsDistinctAndAggregationsUseTheIndexes() {
        Bson filter = eq("aggregateIdentifier", "agg3");

        assertThat(events.countDocuments(filter)).isEqualTo(EVENTS / AGGREGATES);
        Document countExplain = server.explain(new Document("aggregate", "events")
                .append("pipeline", List.of(new Document("$match", filter.toBsonDocument()),
                        new Document("$group", new Document("_id", 1).append("n", new Document("$sum", 1)))))
                .append("cursor", new Document()));
        assertThat(stages(countExplain)).containsExactly("FETCH", "IXSCAN");
        assertThat(docsExamined(countExplain)).isEqualTo(EVENTS / AGGREGATES);

        List<Document> newest = events.aggregate(List.of(Aggregates.match(eq("type", "Used")),
                Aggregates.sort(descending("timestamp")), Aggregates.limit(2))).into(new ArrayList<>());
        assertThat(ids(newest)).containsExactly(1999, 1997);

        assertThat(events.distinct("aggregateIdentifier", String.class).into(new ArrayList<>())).hasSize(AGGREGATES);
        Document distinctExplain = server.explain(new Document("distinct", "events").append("key", "aggregateIdentifier"));
        assertThat(stages(distinctExplain)).doesNotContain("COLLSCAN");
        assertThat(events.countDocuments(eq("sequenceNumber", 3L))).isEqualTo(AGGREGATES);
    }

    @Test
    void writesKeepTheIndexesInStep() {
        events.updateOne(eq("_id", 7), Updates.set("aggregateIdentifier", "moved"));
        events.replaceOne(eq("_id", 8), event(8).append("aggregateIdentifier", "replaced"));
        events.findOneAndUpdate(eq("_id", 9), Updates.set("timestamp", "2030"));
        events.updateOne(eq("aggregateIdentifier", "upserted"), Updates.set("sequenceNumber", 0L),
                new UpdateOptions().upsert(true));
        events.replaceOne(eq("aggregateIdentifier", "upserted2"), new Document("aggregateIdentifier", "upserted2")
                .append("sequenceNumber", 0L), new ReplaceOptions().upsert(true));
        events.deleteMany(eq("aggregateIdentifier", "agg11"));
        events.findOneAndDelete(eq("retiredSecrets.hash", "h12"));

        assertThat(ids(events.find(eq("aggregateIdentifier", "moved")))).containsExactly(7);
        assertThat(ids(events.find(and(eq("aggregateIdentifier", "agg7"), eq("sequenceNumber", 0L))))).isEmpty();
        assertThat(ids(events.find(eq("aggregateIdentifier", "replaced")))).containsExactly(8);
        assertThat(ids(events.find(gt("timestamp", "2029")))).containsExactly(9);
        assertThat(events.countDocuments(eq("aggregateIdentifier", "upserted"))).isEqualTo(1);
        assertThat(events.countDocuments(eq("aggregateIdentifier", "upserted2"))).isEqualTo(1);
        assertThat(events.countDocuments(eq("aggregateIdentifier", "agg11"))).isZero();
        assertThat(events.countDocuments(eq("retiredSecrets.hash", "x12"))).isZero();
        assertThat(events.countDocuments(eq("aggregateIdentifier", "agg12"))).isEqualTo(EVENTS / AGGREGATES - 1);
    }

    @Test
    void aUniqueIndexAnswersDuplicateKeyAsMongoDbDoes() {
        Document duplicate = new Document("_id", "dup").append("aggregateIdentifier", "agg4").append("sequenceNumber", 2L);

        assertThatThrownBy(() -> events.insertOne(duplicate))
                .isInstanceOfSatisfying(MongoWriteException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(11000);
                    assertThat(e.getMessage()).contains("E11000 duplicate key error collection: test.events index: "
                            + "aggregateIdentifier_1_sequenceNumber_1 dup key: { aggregateIdentifier: \"agg4\", sequenceNumber: 2 }");
                });
        assertThatThrownBy(() -> events.updateOne(eq("_id", 5), Updates.set("aggregateIdentifier", "agg4")))
                .isInstanceOfSatisfying(MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
        // a number equal to another across types is the same key, as in MongoDB
        assertThatThrownBy(() -> events.insertOne(new Document("aggregateIdentifier", "agg4").append("sequenceNumber", 2.0)))
                .isInstanceOfSatisfying(MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
        assertThat(events.countDocuments(eq("aggregateIdentifier", "agg4"))).isEqualTo(EVENTS / AGGREGATES);
    }

    @Test
    void valuesOrderAcrossTypesAsBsonDoes() {
        MongoCollection<Document> mixed = server.collection("mixed");
        mixed.createIndex(Indexes.ascending("v"));
        mixed.insertMany(List.of(new Document("_id", 1).append("v", 2), new Document("_id", 2).append("v", 1.5),
                new Document("_id", 3).append("v", 3L), new Document("_id", 4).append("v", "text"),
                new Document("_id", 5), new Document("_id", 6).append("v", null),
                new Document("_id", 7).append("v", new Document("a", 1)), new Document("_id", 8).append("v", true),
                new Document("_id", 9).append("v", java.util.Date.from(BASE)),
                new Document("_id", 10).append("v", new org.bson.types.ObjectId())));

        assertThat(ids(mixed.find().sort(ascending("v")))).startsWith(5, 6, 2, 1, 3, 4, 7)
                .endsWith(10, 8, 9).hasSize(10);
        assertThat(ids(mixed.find(gte("v", 2.0)).sort(ascending("v")))).containsExactly(1, 3);
        assertThat(ids(mixed.find(eq("v", 3)))).containsExactly(3);
        assertThat(ids(mixed.find(eq("v", null)).sort(ascending("_id")))).containsExactly(5, 6);
    }

    @Test
    void sparseAndPartialIndexesAreUsedOnlyWhereTheyHoldEveryMatch() {
        MongoCollection<Document> keys = server.collection("keys");
        keys.createIndex(Indexes.ascending("owner"), new IndexOptions().sparse(true));
        keys.createIndex(Indexes.ascending("kind"), new IndexOptions()
                .partialFilterExpression(new Document("active", true)));
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Document document = new Document("_id", i).append("kind", "k" + (i % 5)).append("active", i % 2 == 0);
            if (i % 4 == 0) {
                document.append("owner", "o" + (i % 8));
            }
            documents.add(document);
        }
        keys.insertMany(documents);

        assertThat(keys.countDocuments(eq("owner", "o4"))).isEqualTo(12);
        assertThat(stages(server.explainFind("keys", eq("owner", "o4"), null, 0))).contains("IXSCAN");
        assertThat(keys.countDocuments(eq("owner", null))).isEqualTo(75);
        assertThat(stages(server.explainFind("keys", eq("owner", null), null, 0))).containsExactly("COLLSCAN");

        assertThat(keys.countDocuments(and(eq("kind", "k2"), eq("active", true)))).isEqualTo(10);
        assertThat(stages(server.explainFind("keys", and(eq("kind", "k2"), eq("active", true)), null, 0)))
                .contains("IXSCAN");
        assertThat(keys.countDocuments(eq("kind", "k2"))).isEqualTo(20);
        assertThat(stages(server.explainFind("keys", eq("kind", "k2"), null, 0))).containsExactly("COLLSCAN");
    }

    @Test
    void aCursorHandsOutTheRestBatchByBatch() {
        Bson filter = gte("timestamp", BASE.plusSeconds(1000).toString());

        List<Integer> found = ids(events.find(filter).sort(ascending("timestamp", "sequenceNumber")).batchSize(100));

        assertThat(found).hasSize(1000).isSorted().startsWith(1000).endsWith(1999);
    }

    @Test
    void aQueryOnUnindexedFieldsIsACollectionScanThatStillAnswers() {
        Bson filter = and(eq("type", "Created"), eq("missing", null), gt("sequenceNumber", 30L));

        assertThat(events.countDocuments(new Document("sequenceNumber", new Document("$gt", 30L)))).isEqualTo(9 * AGGREGATES);
        assertThat(stages(server.explainFind("events", new Document("sequenceNumber", 3L), null, 0))).containsExactly("COLLSCAN");
        assertThat(events.countDocuments(filter)).isEqualTo(150);
    }
}
