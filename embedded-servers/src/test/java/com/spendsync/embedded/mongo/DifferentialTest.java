package com.spendsync.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.UpdateResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Generated documents and operations applied to the indexed server and to the stock H2 backend give the same
 * results, before and after a restart on the H2 files. Results are compared in the order the sort defines; documents
 * with equal sort keys are compared as sets, and where a skip or limit cuts such a group only its size is compared.
 */
class DifferentialTest {

    private static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<missing>";
        }
    };
    private static final List<String> FIELDS = List.of("a", "b", "c", "tags", "n.x", "u", "_id");
    private static final List<String> SORT_FIELDS = List.of("a", "b", "c", "u", "_id");

    @Property(tries = 25, shrinking = ShrinkingMode.BOUNDED)
    void theIndexedServerAnswersAsTheStockOne(@ForAll("documents") List<Document> documents,
                                              @ForAll("operations") List<Operation> operations) {
        Path directory = temporaryDirectory();
        try {
            Path indexedFile = directory.resolve("indexed.mv");
            Path stockFile = directory.resolve("stock.mv");
            List<Operation> reads = operations.stream().filter(Operation::readOnly).toList();
            try (TestServer indexed = TestServer.indexed(indexedFile); TestServer stock = TestServer.stock(stockFile)) {
                for (TestServer server : List.of(indexed, stock)) {
                    createIndexes(server.collection("things"));
                    for (Document document : documents) {
                        outcome(() -> {
                            server.collection("things").insertOne(Document.parse(document.toJson()));
                            return "inserted";
                        });
                    }
                }
                for (Operation operation : operations) {
                    assertThat(operation.apply(indexed.collection("things")))
                            .as("%s", operation)
                            .isEqualTo(operation.apply(stock.collection("things")));
                }
                assertSameContents(indexed, stock);
            }
            try (TestServer indexed = TestServer.indexed(indexedFile); TestServer stock = TestServer.stock(stockFile)) {
                for (Operation operation : reads) {
                    assertThat(operation.apply(indexed.collection("things")))
                            .as("after a restart: %s", operation)
                            .isEqualTo(operation.apply(stock.collection("things")));
                }
                assertSameContents(indexed, stock);
            }
        } finally {
            delete(directory);
        }
    }

    private static void createIndexes(MongoCollection<Document> things) {
        things.createIndex(Indexes.ascending("a"));
        things.createIndex(Indexes.compoundIndex(Indexes.ascending("b"), Indexes.descending("c")));
        things.createIndex(Indexes.ascending("tags"));
        things.createIndex(Indexes.ascending("n.x"));
        things.createIndex(Indexes.ascending("u"), new IndexOptions().unique(true).sparse(true));
    }

    private static void assertSameContents(TestServer indexed, TestServer stock) {
        Function<TestServer, List<String>> dump = server -> server.collection("things").find()
                .sort(Sorts.ascending("_id")).map(Document::toJson).into(new ArrayList<>());
        assertThat(dump.apply(indexed)).isEqualTo(dump.apply(stock));
    }

    // ------------------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<Document>> documents() {
        Arbitrary<Document> document = Combinators.combine(value(), Arbitraries.integers().between(0, 4).injectNull(0.2),
                        Arbitraries.of("c0", "c1", "c2").injectNull(0.2), Arbitraries.of("t0", "t1", "t2", "t3").list().ofMaxSize(3),
                        Arbitraries.integers().between(0, 3).injectNull(0.3), Arbitraries.integers().between(0, 30).injectNull(0.6))
                .as((a, b, c, tags, x, u) -> {
                    Document d = new Document();
                    put(d, "a", a);
                    if (b != null) {
                        d.append("b", b);
                    }
                    if (c != null) {
                        d.append("c", c);
                    }
                    d.append("tags", tags);
                    if (x != null) {
                        d.append("n", new Document("x", x));
                    }
                    if (u != null) {
                        d.append("u", u);
                    }
                    return d;
                });
        return document.list().ofMaxSize(40).map(list -> {
            List<Document> numbered = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                numbered.add(new Document("_id", i).append("v", 0).append("d", list.get(i)));
            }
            return numbered.stream().map(entry -> {
                Document d = new Document("_id", entry.getInteger("_id"));
                d.putAll(entry.get("d", Document.class));
                return d;
            }).toList();
        });
    }

    private static void put(Document document, String field, Object value) {
        if (value != MISSING) {
            document.append(field, value);
        }
    }

    private static Arbitrary<Object> value() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 5).map(i -> (Object) i),
                Arbitraries.longs().between(0, 5).map(l -> (Object) l),
                Arbitraries.integers().between(0, 10).map(i -> (Object) (i / 2.0)),
                Arbitraries.of("s0", "s1", "s2").map(s -> (Object) s),
                Arbitraries.just((Object) null).map(n -> n),
                Arbitraries.just(MISSING),
                Arbitraries.integers().between(0, 5).list().ofMaxSize(3).map(list -> (Object) list));
    }

    private static Arbitrary<Object> operand() {
        return value().filter(v -> v != MISSING && !(v instanceof List));
    }

    private static Arbitrary<Bson> predicate() {
        Arbitrary<String> field = Arbitraries.of(FIELDS);
        return Arbitraries.oneOf(
                Combinators.combine(field, Arbitraries.of("eq", "gt", "gte", "lt", "lte", "ne"), operand())
                        .as(DifferentialTest::comparison),
                Combinators.combine(field, operand().list().ofMinSize(1).ofMaxSize(3))
                        .as((name, values) -> Filters.in(name, values.stream().map(v -> stockSafe(name, v)).toList())),
                Combinators.combine(field, Arbitraries.of(true, false)).as(Filters::exists),
                Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.of("c0", "c1", "c2"),
                        Arbitraries.of("gt", "lte")).as((b, c, op) -> Filters.and(Filters.eq("b", b), comparison("c", op, c))));
    }

    private static Bson comparison(String field, String operator, Object value) {
        return new Document(field, new Document("$" + operator, stockSafe(field, value)));
    }

    /**
     * The stock backend answers null on the sparse unique index's field from that index, which lacks the documents
     * without the field (it finds none where MongoDB finds them): the comparison leaves that case out.
     */
    private static Object stockSafe(String field, Object value) {
        return field.equals("u") && value == null ? 0 : value;
    }

    private static Arbitrary<Bson> filter() {
        return Arbitraries.oneOf(
                predicate(),
                predicate().list().ofMinSize(2).ofMaxSize(3).map(Filters::and),
                predicate().list().ofMinSize(2).ofMaxSize(3).map(Filters::or),
                Arbitraries.just(new Document()));
    }

    private static Arbitrary<Document> sort() {
        Arbitrary<Document> one = Combinators.combine(Arbitraries.of(SORT_FIELDS), Arbitraries.of(1, -1))
                .as((field, direction) -> new Document(field, direction));
        return Arbitraries.oneOf(Arbitraries.just((Document) null), one,
                Combinators.combine(Arbitraries.of(1, -1), Arbitraries.of(1, -1))
                        .as((b, c) -> new Document("b", b).append("c", c)));
    }

    @Provide
    Arbitrary<List<Operation>> operations() {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, 45);
        Arbitrary<Operation> operation = Arbitraries.oneOf(
                Combinators.combine(filter(), sort(), Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 6))
                        .as(Find::new),
                filter().map(Count::new),
                Combinators.combine(Arbitraries.of("a", "b", "c", "tags", "n.x"), filter()).as(Distinct::new),
                Combinators.combine(filter(), sort(), Arbitraries.integers().between(0, 5)).as(Aggregate::new),
                Combinators.combine(filter(), Arbitraries.of("a", "b", "c", "tags"), operand()).as(UpdateMany::new),
                Combinators.combine(id, filter(), Arbitraries.of("a", "b", "c"), operand()).as(UpdateOne::new),
                Combinators.combine(id, Arbitraries.integers().between(0, 4), Arbitraries.of("c0", "c1")).as(Upsert::new),
                Combinators.combine(id, operand()).as(Replace::new),
                filter().map(DeleteMany::new),
                id.map(DeleteOne::new),
                Arbitraries.just(new Reindex()));
        return operation.list().ofMinSize(1).ofMaxSize(15);
    }

    // ------------------------------------------------------------------------------------------- operations

    interface Operation {
        Object apply(MongoCollection<Document> things);

        default boolean readOnly() {
            return false;
        }
    }

    record Find(Bson filter, Document sort, int skip, int limit) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> {
                List<Document> found = things.find(filter).sort(sort).skip(skip).limit(limit).into(new ArrayList<>());
                if (sort == null && (skip > 0 || limit > 0)) {
                    List<String> all = things.find(filter).map(Document::toJson).into(new ArrayList<>());
                    return List.of(found.size(), all.containsAll(found.stream().map(Document::toJson).toList()));
                }
                return canonical(found, sort, skip > 0 || limit > 0);
            });
        }

        @Override
        public boolean readOnly() {
            return true;
        }
    }

    record Aggregate(Bson filter, Document sort, int limit) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> {
                List<Bson> pipeline = new ArrayList<>(List.of(Aggregates.match(filter)));
                if (sort != null) {
                    pipeline.add(Aggregates.sort(sort));
                }
                if (limit > 0 && sort != null) {
                    pipeline.add(Aggregates.limit(limit));
                }
                return canonical(things.aggregate(pipeline).into(new ArrayList<>()), sort, limit > 0);
            });
        }

        @Override
        public boolean readOnly() {
            return true;
        }
    }

    record Count(Bson filter) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> things.countDocuments(filter));
        }

        @Override
        public boolean readOnly() {
            return true;
        }
    }

    record Distinct(String field, Bson filter) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> things.distinct(field, filter, BsonValue.class)
                    .map(v -> v == null ? "null" : v.isNumber() ? "n:" + v.asNumber().doubleValue() : v.toString())
                    .into(new TreeSet<>()));
        }

        @Override
        public boolean readOnly() {
            return true;
        }
    }

    record UpdateMany(Bson filter, String field, Object value) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.updateMany(filter, Updates.set(field, value))));
        }
    }

    record UpdateOne(int id, Bson filter, String field, Object value) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.updateOne(Filters.and(Filters.eq("_id", id), filter), Updates.set(field, value))));
        }
    }

    record Upsert(int id, int b, String c) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("b", b)),
                    Updates.set("c", c), new UpdateOptions().upsert(true))));
        }
    }

    record Replace(int id, Object a) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.replaceOne(Filters.eq("_id", id),
                    new Document("a", a).append("b", 1).append("tags", List.of("t1")), new ReplaceOptions().upsert(true))));
        }
    }

    record DeleteMany(Bson filter) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.deleteMany(filter)));
        }
    }

    record DeleteOne(int id) implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> counts(things.deleteOne(Filters.eq("_id", id))));
        }
    }

    /** Drops an index and creates it again on the data there is. */
    record Reindex() implements Operation {
        @Override
        public Object apply(MongoCollection<Document> things) {
            return outcome(() -> {
                things.dropIndex("b_1_c_-1");
                things.createIndex(Indexes.compoundIndex(Indexes.ascending("b"), Indexes.descending("c")));
                return "reindexed";
            });
        }
    }

    // ------------------------------------------------------------------------------------------- comparing

    private interface Action {
        Object run();
    }

    private static Object outcome(Action action) {
        try {
            return action.run();
        } catch (MongoException e) {
            return "error " + e.getCode();
        }
    }

    private static Object counts(UpdateResult result) {
        return List.of(result.getMatchedCount(), result.getModifiedCount(), String.valueOf(result.getUpsertedId()));
    }

    private static Object counts(DeleteResult result) {
        return result.getDeletedCount();
    }

    /** Documents in sort order as groups of equal sort keys; a group a skip or limit may have cut keeps its size only. */
    private static List<Object> canonical(List<Document> documents, Document sort, boolean cut) {
        List<Object> groups = new ArrayList<>();
        if (sort == null) {
            groups.add(new TreeSet<>(documents.stream().map(Document::toJson).toList()));
            return groups;
        }
        List<List<Document>> runs = new ArrayList<>();
        List<Object> previous = null;
        for (Document document : documents) {
            List<Object> key = sortKey(document, sort);
            if (!key.equals(previous)) {
                runs.add(new ArrayList<>());
                previous = key;
            }
            runs.get(runs.size() - 1).add(document);
        }
        for (int i = 0; i < runs.size(); i++) {
            List<Document> run = runs.get(i);
            boolean mayBeCut = cut && (i == 0 || i == runs.size() - 1);
            groups.add(List.of(sortKey(run.get(0), sort), run.size(),
                    mayBeCut ? "cut" : new TreeSet<>(run.stream().map(Document::toJson).toList())));
        }
        return groups;
    }

    private static List<Object> sortKey(Document document, Document sort) {
        List<Object> key = new ArrayList<>();
        for (String field : sort.keySet()) {
            boolean ascending = ((Number) sort.get(field)).intValue() > 0;
            Object value = document.get(field);
            if (value instanceof List<?> list) {
                value = list.isEmpty() ? "[]" : list.stream().map(DifferentialTest::comparable)
                        .sorted(ascending ? BSONISH : BSONISH.reversed()).findFirst().orElseThrow();
            }
            key.add(json(comparable(value)));
        }
        return key;
    }

    private static Object comparable(Object value) {
        return value instanceof Number number ? (Object) number.doubleValue() : value;
    }

    private static final Comparator<Object> BSONISH = Comparator.comparing((Object value) -> value instanceof Number ? 0 : 1)
            .thenComparing(value -> value instanceof Number number ? number.doubleValue() : 0.0)
            .thenComparing(value -> Objects.toString(value));

    private static String json(Object value) {
        if (value instanceof Number number) {
            return "n:" + number.doubleValue();
        }
        return String.valueOf(value instanceof Document document ? document.toJson() : value);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("differential");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
