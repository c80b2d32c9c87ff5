import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.spendsync.embedded.mongo.IndexedH2Backend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The embedded MongoDB-wire server with the stock H2 backend of mongo-java-server against the indexed one
 * (com.spendsync.embedded.mongo.IndexedH2Backend), in one JVM and one run, on H2 files in a temporary directory;
 * run by bench/embedded-mongo-bench.sh with the module's classpath:
 *
 * <pre>
 *   java -cp CLASSPATH bench/EmbeddedMongoBench.java DOCUMENTS START_EVENTS REPEAT
 * </pre>
 *
 * For each backend: DOCUMENTS audit entries (shaped as AuditLogs stores them, with its indexes) and DOCUMENTS Axon
 * events (shaped as axon-mongo writes them, with its two indexes), then the queries the services send, REPEAT times
 * each (p50 and p99 in ms): the audit newest-first page filtered by owner, Axon's tracking query (a timestamp range
 * sorted, limited), an aggregate load (aggregateIdentifier, sequenceNumber >= 1, sorted), a count; and one full read
 * of the events in tracking order in batches of 1000. Then START_EVENTS events into one store, and the time to open
 * it with the indexed backend: after a clean close (indexes as stored), after a crash (indexes rebuilt), and with
 * most of the file free (compacted at the start).
 */
public class EmbeddedMongoBench {

    private static final int BATCH = 1000;
    private static final int OWNERS = 100;
    private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");

    public static void main(String[] args) throws Exception {
        int documents = Integer.parseInt(args[0]);
        int startEvents = Integer.parseInt(args[1]);
        int repeat = Integer.parseInt(args[2]);
        Path work = Files.createTempDirectory("embedded-mongo-bench");
        List<String> rows = new ArrayList<>();
        rows.add("| measure | stock H2Backend | indexed | ratio |");
        rows.add("|---|---|---|---|");
        double[][] stock = queries(new H2Backend(work.resolve("stock.mv").toString()), documents, repeat);
        double[][] indexed = queries(IndexedH2Backend.open(work.resolve("indexed.mv").toString(), false,
                Duration.ofMinutes(1)), documents, repeat);
        String[] names = {"seed " + documents + " entries + " + documents + " events (s)",
            "audit page: userId, newest first, limit 50 (ms p50 / p99)",
            "Axon tracking query: timestamp > t, sorted, limit 100 (ms p50 / p99)",
            "aggregate load: aggregateIdentifier, sequenceNumber >= 1, sorted (ms p50 / p99)",
            "countDocuments by userId (ms p50 / p99)",
            "full read of " + documents + " events in tracking order, a query per 1000 (s)"};
        for (int i = 0; i < names.length; i++) {
            rows.add("| " + names[i] + " | " + cell(stock[i]) + " | " + cell(indexed[i]) + " | "
                    + String.format(Locale.ROOT, "%.1fx", stock[i][0] / indexed[i][0]) + " |");
        }
        double stockOpen = timeToOpen(() -> new H2Backend(work.resolve("stock.mv").toString()), true);
        double indexedOpen = timeToOpen(() -> IndexedH2Backend.open(work.resolve("indexed.mv").toString(), false,
                Duration.ofMinutes(1)), true);
        rows.add(String.format(Locale.ROOT, "| open that store after a clean close (s) | %.2f | %.2f | |", stockOpen, indexedOpen));
        rows.addAll(startTimes(work, startEvents));
        rows.forEach(System.out::println);
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static String cell(double[] figures) {
        return figures.length == 1 ? String.format(Locale.ROOT, "%.2f", figures[0])
                : String.format(Locale.ROOT, "%.2f / %.2f", figures[0], figures[1]);
    }

    private static double[][] queries(H2Backend backend, int documents, int repeat) {
        MongoServer server = new MongoServer(backend);
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<Document> audit = client.getDatabase("spendsync_audit").getCollection("audit_logs");
            MongoCollection<Document> events = client.getDatabase("spendsync_audit").getCollection("domainevents");
            createIndexes(audit, events);
            long started = System.nanoTime();
            seedAudit(audit, documents);
            seedEvents(events, documents);
            double seeded = seconds(started);
            Random random = new Random(7);
            double[] page = times(repeat, () -> audit.find(Filters.and(Filters.eq("userId", "owner-" + random.nextInt(OWNERS))))
                    .sort(Sorts.descending("timestamp", "_id")).limit(50).into(new ArrayList<>()).size());
            double[] tracking = times(repeat, () -> events.find(Filters.and(Filters.gt("timestamp",
                            FIRST.plusMillis(500L * random.nextInt(documents)).toString())))
                    .sort(Sorts.ascending("timestamp", "sequenceNumber")).limit(100).into(new ArrayList<>()).size());
            double[] load = times(repeat, () -> events.find(Filters.and(
                            Filters.eq("aggregateIdentifier", keyId(random.nextInt(documents / 4))),
                            Filters.gte("sequenceNumber", 1L)))
                    .sort(Sorts.ascending("sequenceNumber")).into(new ArrayList<>()).size());
            double[] count = times(repeat, () -> (int) audit.countDocuments(Filters.eq("userId", "owner-" + random.nextInt(OWNERS))));
            long read = System.nanoTime();
            int seen = 0;
            String last = "";
            // as Axon's tracking processor reads: a query per batch, each from the last timestamp it saw
            while (true) {
                List<Document> batch = events.find(Filters.gt("timestamp", last))
                        .sort(Sorts.ascending("timestamp", "sequenceNumber")).limit(BATCH).into(new ArrayList<>());
                if (batch.isEmpty()) {
                    break;
                }
                seen += batch.size();
                last = batch.get(batch.size() - 1).getString("timestamp");
            }
            if (seen != documents) {
                throw new IllegalStateException("read " + seen + " of " + documents + " events");
            }
            return new double[][] {{seeded}, page, tracking, load, count, {seconds(read)}};
        } finally {
            server.shutdown();
        }
    }

    private static List<String> startTimes(Path work, int events) {
        String file = work.resolve("start.mv").toString();
        IndexedH2Backend seeding = IndexedH2Backend.open(file, false, Duration.ofMinutes(1));
        MongoServer server = new MongoServer(seeding);
        long started = System.nanoTime();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort())) {
            MongoCollection<Document> store = client.getDatabase("spendsync_audit").getCollection("domainevents");
            createIndexes(client.getDatabase("spendsync_audit").getCollection("audit_logs"), store);
            seedEvents(store, events);
        }
        double seeded = seconds(started);
        server.shutdown();
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "| seed %d events into the indexed store (s) | | %.1f | |", events, seeded));
        double clean = timeToOpen(() -> IndexedH2Backend.open(file, false, Duration.ofMinutes(1)), true);
        double crashed = timeToOpen(() -> IndexedH2Backend.open(file, false, Duration.ofMinutes(1)), false);
        double rebuilt = timeToOpen(() -> IndexedH2Backend.open(file, false, Duration.ofMinutes(1)), true);
        rows.add(String.format(Locale.ROOT, "| open %d events after a clean close (s) | | %.2f | |", events, clean));
        rows.add(String.format(Locale.ROOT, "| open %d events after a crash: indexes rebuilt (s) | | %.2f | |", events, rebuilt));
        rows.add(String.format(Locale.ROOT, "| (the open before the crash: %.2f s) | | | |", crashed));
        rows.addAll(compactionTimes(file, events, clean));
        return rows;
    }

    /**
     * Leaves the store mostly free space (two collections as large as the events, written and dropped), then times
     * the open that compacts it against the clean open of the same live data measured before.
     */
    private static List<String> compactionTimes(String file, int events, double cleanOpen) {
        IndexedH2Backend writing = IndexedH2Backend.open(file, false, Duration.ofMinutes(1));
        MongoServer server = new MongoServer(writing);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort())) {
            MongoCollection<Document> scratch = client.getDatabase("spendsync_audit").getCollection("scratch");
            seedEvents(scratch, events);
            seedEvents(client.getDatabase("spendsync_audit").getCollection("scratch2"), events);
            scratch.drop();
            client.getDatabase("spendsync_audit").getCollection("scratch2").drop();
        }
        server.shutdown();
        long grown = Path.of(file).toFile().length();
        double compacting = timeToOpen(() -> IndexedH2Backend.open(file, false, Duration.ofMinutes(1)), true);
        long compacted = Path.of(file).toFile().length();
        return List.of(String.format(Locale.ROOT,
                "| open %d events after a clean close, the file %d MB with two thirds free: compacted to %d MB (s) | | %.2f | %.0fx the clean open |",
                events, grown >> 20, compacted >> 20, compacting, compacting / cleanOpen));
    }

    /** Opens the store and answers one query on it; then closes it cleanly, or abandons it as a killed process would. */
    private static double timeToOpen(Supplier<H2Backend> open, boolean closeCleanly) {
        long started = System.nanoTime();
        H2Backend backend = open.get();
        MongoServer server = new MongoServer(backend);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort())) {
            client.getDatabase("spendsync_audit").getCollection("domainevents")
                    .find(Filters.eq("aggregateIdentifier", keyId(1))).first();
        }
        double seconds = seconds(started);
        if (!closeCleanly) {
            backend.getMvStore().closeImmediately();
        }
        server.shutdownNow();
        return seconds;
    }

    private static void createIndexes(MongoCollection<Document> audit, MongoCollection<Document> events) {
        audit.createIndex(Indexes.descending("timestamp", "_id"));
        for (String field : List.of("userId", "actor", "eventType", "severity", "resourceType", "resourceId")) {
            audit.createIndex(Indexes.compoundIndex(Indexes.ascending(field), Indexes.descending("timestamp", "_id")));
        }
        audit.createIndex(Indexes.ascending("expireAt"), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
        events.createIndex(Indexes.ascending("aggregateIdentifier", "sequenceNumber"), new IndexOptions().unique(true));
        events.createIndex(Indexes.ascending("timestamp", "sequenceNumber"));
    }

    private static String keyId(int key) {
        return "key_bench" + String.format("%017d", key);
    }

    private static void seedAudit(MongoCollection<Document> audit, int documents) {
        Random random = new Random(43);
        String[] types = {"ApiKeyCreated", "ApiKeyUpdated", "ApiKeyUpdated", "ApiKeyRevoked"};
        List<Document> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < documents; i++) {
            int key = i / 4;
            int seq = i % 4;
            Instant at = FIRST.plusMillis(500L * i);
            batch.add(new Document("_id", new UUID(random.nextLong(), random.nextLong()).toString())
                    .append("eventType", types[seq]).append("severity", seq == 3 ? "WARNING" : "INFO")
                    .append("userId", "owner-" + (key % OWNERS)).append("actor", "key_bootstrapRootKey000000")
                    .append("resourceType", "api_key").append("resourceId", keyId(key))
                    .append("timestamp", Date.from(at))
                    .append("metadata", new Document("keyId", keyId(key)).append("name", "bench key " + key))
                    .append("service", "command-side").append("environment", "live").append("sequence", (long) seq)
                    .append("expireAt", Date.from(Instant.now().plus(Duration.ofDays(90)))));
            if (batch.size() == BATCH) {
                audit.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            audit.insertMany(batch);
        }
    }

    private static void seedEvents(MongoCollection<Document> events, int count) {
        List<Document> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < count; i++) {
            int key = i / 4;
            Instant at = FIRST.plusMillis(500L * i);
            String payload = new Document("keyId", keyId(key)).append("name", "bench key " + key)
                    .append("permissions", List.of("payments:read")).append("at", at.toString()).toJson();
            batch.add(new Document("aggregateIdentifier", keyId(key)).append("type", "ApiKey")
                    .append("sequenceNumber", (long) (i % 4)).append("serializedPayload", payload)
                    .append("timestamp", at.toString()).append("payloadType", "com.spendsync.api.apikey.ApiKeyUpdatedEvent")
                    .append("payloadRevision", null)
                    .append("serializedMetaData", "{\"actor\": \"key_bootstrapRootKey000000\"}")
                    .append("eventIdentifier", UUID.randomUUID().toString()));
            if (batch.size() == BATCH) {
                events.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            events.insertMany(batch);
        }
    }

    private interface Query {
        int run();
    }

    /** p50 and p99 in ms of a query run {@code repeat} times, after two warm-up runs. */
    private static double[] times(int repeat, Query query) {
        query.run();
        query.run();
        double[] millis = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long started = System.nanoTime();
            query.run();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {millis[repeat / 2], millis[Math.min(repeat - 1, (int) Math.ceil(repeat * 0.99) - 1)]};
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
