package com.spendsync.embedded.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;

/** A MongoDB-wire server on an H2 file (the indexed backend or the stock one) and a driver client connected to it. */
final class TestServer implements AutoCloseable {

    private final MongoServer server;
    private final H2Backend backend;
    private final MongoClient client;

    private TestServer(H2Backend backend) {
        this.backend = backend;
        this.server = new MongoServer(backend);
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        this.client = MongoClients.create(uri);
    }

    static TestServer indexed(Path file) {
        return indexed(file, false, Duration.ofMinutes(1));
    }

    static TestServer indexed(Path file, boolean noTableScan, Duration ttlInterval) {
        return new TestServer(IndexedH2Backend.open(file.toString(), noTableScan, ttlInterval));
    }

    static TestServer stock(Path file) {
        return new TestServer(new H2Backend(file.toString()));
    }

    MongoDatabase database() {
        return client.getDatabase("test");
    }

    MongoCollection<Document> collection(String name) {
        return database().getCollection(name);
    }

    H2Backend backend() {
        return backend;
    }

    /** The explain of a find, as MongoDB answers it: queryPlanner.winningPlan and executionStats. */
    Document explainFind(String collection, Bson filter, Bson sort, int limit) {
        Document find = new Document("find", collection).append("filter", filter.toBsonDocument());
        if (sort != null) {
            find.append("sort", sort.toBsonDocument());
        }
        if (limit > 0) {
            find.append("limit", limit);
        }
        return explain(find);
    }

    Document explain(Document command) {
        return database().runCommand(new Document("explain", command));
    }

    /** The stages of an explain's winning plan, outermost first. */
    static List<String> stages(Document explain) {
        List<String> stages = new ArrayList<>();
        collectStages(explain.get("queryPlanner", Document.class).get("winningPlan", Document.class), stages);
        return stages;
    }

    private static void collectStages(Document stage, List<String> stages) {
        stages.add(stage.getString("stage"));
        if (stage.get("inputStage") instanceof Document input) {
            collectStages(input, stages);
        }
        if (stage.get("inputStages") instanceof List<?> inputs) {
            inputs.forEach(input -> collectStages((Document) input, stages));
        }
    }

    static long docsExamined(Document explain) {
        return explain.get("executionStats", Document.class).get("totalDocsExamined", Number.class).longValue();
    }

    /** Ends the server as a killed process would: the store is abandoned without its last writes or a clean close. */
    void crash() {
        client.close();
        backend.getMvStore().closeImmediately();
        server.shutdownNow();
    }

    @Override
    public void close() {
        client.close();
        server.shutdown();
    }
}
