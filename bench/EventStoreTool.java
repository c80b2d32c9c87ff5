import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.InsertManyOptions;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;

/**
 * The MongoDB side of bench/replay-bench.sh, run as a single-file program with the driver jars taken from the
 * all-in-one jar (python3 has no MongoDB driver here):
 *
 * <pre>
 *   java -cp DRIVER_JARS bench/EventStoreTool.java seed URI KEYS
 *   java -cp DRIVER_JARS bench/EventStoreTool.java scan URI
 *   java -cp DRIVER_JARS bench/EventStoreTool.java count URI COLLECTION
 *   java -cp DRIVER_JARS bench/EventStoreTool.java seed-audit URI KEYS
 * </pre>
 *
 * seed: writes KEYS keys x 4 events (Created, Updated, Updated, Revoked) into spendsync_audit.domainevents in the
 * document format axon-mongo writes (see LateCommitTest.commitLate), in batches of 1000. A real run through the HTTP
 * API would take far too long on two cores, and the replay only reads the store, so how the events got there does
 * not change what is measured. Timestamps are 500 ms apart and end an hour ago: Axon's MongoDB stream tracks by
 * timestamp and keeps every event of its 10 s look-back window in its token, so events all stamped within the same
 * few seconds would make an unrealistically large token.
 *
 * scan: the baseline. Reads the whole collection with the plain driver (batches of 1000), parses every payload and
 * metadata JSON string as a projector's deserialization must, and prints one JSON line with events and events/s.
 *
 * count: the number of documents in a collection of the audit database, as JSON.
 *
 * seed-audit: writes the audit view's entries of the same KEYS x 4 events straight into spendsync_audit.audit_logs,
 * as AuditLogs stores them (Spring Data mapping of AuditEntry: _id the event id, Instants as dates, no class hint).
 * Filling the view by a replay takes far longer than a benchmark run on the embedded server (see replay-bench.sh).
 */
public class EventStoreTool {

    private static final String DATABASE = "spendsync_audit";
    private static final String COLLECTION = "domainevents";
    private static final int BATCH = 1000;
    /** Owners are shared by keys so that a filter by userId finds about 1% of the entries, not just one key's. */
    private static final int OWNERS = 100;
    private static final Duration SPACING = Duration.ofMillis(500);

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: seed URI KEYS | scan URI | count URI COLLECTION"
                    + " | seed-audit URI KEYS | seed-history URI KEYS SAMPLE SECRETS_FILE ACTIVE_KEYS_FILE [into-running-app]"
                    + " | copy-collection URI DB FROM TO | compare-collection URI DB SEEDED REBUILT");
        }
        try (MongoClient client = MongoClients.create(args[1])) {
            MongoCollection<Document> events = client.getDatabase(DATABASE).getCollection(COLLECTION);
            switch (args[0]) {
                case "seed" -> seed(events, Integer.parseInt(args[2]));
                case "scan" -> scan(events);
                case "seed-audit" -> seedAudit(client.getDatabase(DATABASE).getCollection("audit_logs"),
                        Integer.parseInt(args[2]));
                case "seed-history" -> new HistorySeeder(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        args.length > 6 && args[6].equals("into-running-app")).seed(Path.of(args[4]), Path.of(args[5]));
                case "copy-collection" -> copyCollection(client.getDatabase(args[2]), args[3], args[4]);
                case "compare-collection" -> compareCollection(client.getDatabase(args[2]), args[3], args[4]);
                case "count" -> System.out.printf("{\"entries\": %d}%n",
                        client.getDatabase(DATABASE).getCollection(args[2]).countDocuments());
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
    }

    private static void seed(MongoCollection<Document> events, int keys) throws NoSuchAlgorithmException {
        Random random = new Random(42);
        Instant first = Instant.now().minus(Duration.ofHours(1)).minus(SPACING.multipliedBy(4L * keys));
        List<Document> batch = new ArrayList<>(BATCH);
        long started = System.nanoTime();
        int written = 0;
        int eventIndex = 0;
        for (int k = 0; k < keys; k++) {
            String keyId = "key_bench" + String.format("%017d", k);
            String hash = sha256Hex(keyId);
            String owner = "owner-" + (k % OWNERS);
            String[] permissions = {"payments:read", k % 2 == 0 ? "payments:write" : "ledger:read"};
            for (int seq = 0; seq < 4; seq++) {
                Instant at = first.plus(SPACING.multipliedBy(eventIndex++));
                Document payload;
                String type;
                switch (seq) {
                    case 0 -> {
                        type = "ApiKeyCreatedEvent";
                        payload = new Document("keyId", keyId).append("keyHash", hash)
                                .append("prefix", "ss_live_" + randomBase62(random, 4)).append("environment", "live")
                                .append("ownerId", owner).append("name", "bench key " + k)
                                .append("permissions", List.of(permissions)).append("expiresAt", null)
                                .append("rateLimit", null).append("metadata", null)
                                .append("createdAt", at.toString());
                    }
                    case 1, 2 -> {
                        type = "ApiKeyUpdatedEvent";
                        payload = new Document("keyId", keyId).append("keyHash", hash).append("previousKeyHash", null)
                                .append("name", "bench key " + k + " v" + seq).append("permissions", List.of(permissions))
                                .append("metadata", new Document("team", "t" + (k % 10)))
                                .append("rateLimit", new Document("limit", 100 * seq).append("windowSeconds", 60))
                                .append("expiresAt", null).append("changedFields", List.of("name", "metadata", "rateLimit"))
                                .append("updatedAt", at.toString());
                    }
                    default -> {
                        type = "ApiKeyRevokedEvent";
                        payload = new Document("keyId", keyId).append("keyHash", hash).append("previousKeyHash", null)
                                .append("reason", "bench").append("revokedAt", at.toString());
                    }
                }
                batch.add(new Document("aggregateIdentifier", keyId)
                        .append("type", "ApiKey")
                        .append("sequenceNumber", (long) seq)
                        .append("serializedPayload", payload.toJson())
                        .append("timestamp", at.toString())
                        .append("payloadType", "com.spendsync.api.apikey." + type)
                        .append("payloadRevision", null)
                        .append("serializedMetaData",
                                new Document("actor", "key_bootstrapRootKey000000").append("source", "127.0.0.1").toJson())
                        .append("eventIdentifier", new UUID(random.nextLong(), random.nextLong()).toString()));
                if (batch.size() == BATCH) {
                    events.insertMany(batch);
                    written += batch.size();
                    batch.clear();
                    if (written % 20_000 == 0) {
                        System.err.printf("seeded %,d events (%.0f s)%n", written, (System.nanoTime() - started) / 1e9);
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            events.insertMany(batch);
            written += batch.size();
        }
        System.out.printf("{\"seeded\": %d, \"keys\": %d, \"first\": \"%s\", \"last\": \"%s\", \"seconds\": %.3f}%n",
                written, keys, first, first.plus(SPACING.multipliedBy(eventIndex - 1L)),
                (System.nanoTime() - started) / 1e9);
    }

    private static void seedAudit(MongoCollection<Document> entries, int keys) {
        Random random = new Random(43);
        Instant first = Instant.now().minus(Duration.ofHours(1)).minus(SPACING.multipliedBy(4L * keys));
        String[] types = {"ApiKeyCreated", "ApiKeyUpdated", "ApiKeyUpdated", "ApiKeyRevoked"};
        List<Document> batch = new ArrayList<>(BATCH);
        long started = System.nanoTime();
        int written = 0;
        int eventIndex = 0;
        for (int k = 0; k < keys; k++) {
            String keyId = "key_bench" + String.format("%017d", k);
            for (int seq = 0; seq < 4; seq++) {
                Instant at = first.plus(SPACING.multipliedBy(eventIndex++)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                batch.add(new Document("_id", new UUID(random.nextLong(), random.nextLong()).toString())
                        .append("eventType", types[seq])
                        .append("severity", seq == 3 ? "WARNING" : "INFO")
                        .append("userId", "owner-" + (k % OWNERS))
                        .append("actor", "key_bootstrapRootKey000000")
                        .append("resourceType", "api_key")
                        .append("resourceId", keyId)
                        .append("timestamp", java.util.Date.from(at))
                        .append("metadata", new Document("keyId", keyId).append("name", "bench key " + k)
                                .append("permissions", List.of("payments:read")).append("source", "127.0.0.1"))
                        .append("service", "command-side")
                        .append("environment", "live")
                        .append("sequence", (long) seq)
                        .append("expireAt", java.util.Date.from(at.plus(Duration.ofDays(90)))));
                if (batch.size() == BATCH) {
                    entries.insertMany(batch);
                    written += batch.size();
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            entries.insertMany(batch);
            written += batch.size();
        }
        System.out.printf("{\"seeded\": %d, \"keys\": %d, \"first\": \"%s\", \"last\": \"%s\", \"seconds\": %.3f}%n",
                written, keys, first, first.plus(SPACING.multipliedBy(eventIndex - 1L)),
                (System.nanoTime() - started) / 1e9);
    }

    private static void scan(MongoCollection<Document> events) {
        long started = System.nanoTime();
        long count = 0;
        long touched = 0;
        try (MongoCursor<Document> cursor = events.find().batchSize(BATCH).iterator()) {
            while (cursor.hasNext()) {
                Document event = cursor.next();
                // what every projector must do with an event at least: parse its payload and metadata
                touched += Document.parse(event.getString("serializedPayload")).size();
                touched += Document.parse(event.getString("serializedMetaData")).size();
                count++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("{\"events\": %d, \"seconds\": %.3f, \"events_per_s\": %.1f, \"fields\": %d}%n",
                count, seconds, count / seconds, touched);
    }

    private static void copyCollection(com.mongodb.client.MongoDatabase database, String from, String to) {
        MongoCollection<Document> target = database.getCollection(to);
        target.drop();
        List<Document> batch = new ArrayList<>(BATCH);
        long copied = 0;
        for (Document document : database.getCollection(from).find().batchSize(BATCH)) {
            batch.add(document);
            if (batch.size() == BATCH) {
                target.insertMany(batch, new InsertManyOptions().ordered(false));
                copied += batch.size();
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            target.insertMany(batch, new InsertManyOptions().ordered(false));
            copied += batch.size();
        }
        System.out.printf("{\"copied\": %d, \"from\": \"%s\", \"to\": \"%s\"}%n", copied, from, to);
    }

    /**
     * Whether a rebuild arrived at the documents seed-history wrote: every seeded document is looked up by its id in
     * the rebuilt collection and compared field by field (numbers by value, whatever their BSON type; lists in
     * order, except a set's, whose order is not kept). Documents only the rebuild has (the app's own events) are not
     * compared.
     */
    private static void compareCollection(com.mongodb.client.MongoDatabase database, String seeded, String rebuilt) {
        MongoCollection<Document> rebuiltDocuments = database.getCollection(rebuilt);
        long compared = 0;
        long missing = 0;
        long different = 0;
        List<String> examples = new ArrayList<>();
        for (Document expected : database.getCollection(seeded).find().batchSize(BATCH)) {
            compared++;
            Document actual = rebuiltDocuments.find(new Document("_id", expected.get("_id"))).first();
            if (actual == null) {
                missing++;
                if (examples.size() < 5) {
                    examples.add("missing " + expected.get("_id"));
                }
                continue;
            }
            List<String> differences = new ArrayList<>();
            differences(expected, actual, "", differences);
            if (!differences.isEmpty()) {
                different++;
                if (examples.size() < 5) {
                    examples.add(expected.get("_id") + ": " + String.join("; ", differences));
                }
            }
        }
        System.out.println(new Document("collection", rebuilt).append("compared", compared)
                .append("missing", missing).append("different", different).append("examples", examples).toJson());
    }

    private static void differences(Object expected, Object actual, String path, List<String> out) {
        if (expected instanceof Document e && actual instanceof Document a) {
            LinkedHashSet<String> names = new LinkedHashSet<>(e.keySet());
            names.addAll(a.keySet());
            for (String name : names) {
                differences(e.get(name), a.get(name), path.isEmpty() ? name : path + "." + name, out);
            }
        } else if (expected instanceof List<?> e && actual instanceof List<?> a && e.size() == a.size()) {
            boolean inOrder = true;
            for (int i = 0; i < e.size() && inOrder; i++) {
                List<String> item = new ArrayList<>();
                differences(e.get(i), a.get(i), path, item);
                inOrder = item.isEmpty();
            }
            if (!inOrder && !(e.containsAll(a) && a.containsAll(e))) {
                out.add(path + ": " + expected + " != " + actual);
            }
        } else if (expected instanceof Number e && actual instanceof Number a) {
            if (Math.abs(e.doubleValue() - a.doubleValue()) > 1e-9 * Math.max(1, Math.abs(e.doubleValue()))) {
                out.add(path + ": " + expected + " != " + actual);
            }
        } else if (!java.util.Objects.equals(expected, actual)) {
            out.add(path + ": " + expected + " != " + actual);
        }
    }

    private static String sha256Hex(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    }

    private static String randomBase62(Random random, int length) {
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(digits.charAt(random.nextInt(digits.length())));
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------------ seed-history

    /**
     * seed-history: a store as an installation of KEYS keys would have it after a month, in the formats the services
     * write (see the class comment). Writes the events, the views of every projection, and the tracking tokens.
     */
    static final class HistorySeeder {

        private static final String KEY_DATABASE = "spendsync";
        private static final String ROOT_ACTOR = "key_bootstrapRootKey000000";
        private static final String USAGE_ACTOR = "system:usage";
        private static final String DEADLINE_ACTOR = "system:deadlines";
        private static final String PAYLOAD_PACKAGE = "com.spendsync.api.apikey.";
        private static final Duration HISTORY = Duration.ofDays(30);
        private static final Duration LOOK_BACK = Duration.ofSeconds(10);
        private static final Duration AUDIT_RETENTION = Duration.ofDays(90);
        /**
         * The usage flush window the app will run with (spendsync.usage.flush-interval, from the same variable) and
         * the baseline smoothing the alert rules use by default.
         */
        private static final Duration USAGE_WINDOW =
                Duration.parse(System.getenv().getOrDefault("SPENDSYNC_USAGE_FLUSH_INTERVAL", "PT60S"));
        private static final double USAGE_SMOOTHING = 0.2;
        /** Below the usage-anomaly rule's min-uses (100), so the seeded history raises no alert on a rebuild. */
        private static final int MAX_USES_PER_HOUR = 99;
        private static final String[] PERMISSIONS =
                {"payments:write", "ledger:read", "ledger:write", "reports:read", "refunds:write"};
        /** The streaming processors and their segment counts (AxonMongoConfiguration and the processor configs). */
        private static final Map<String, Integer> PROCESSORS = processors();
        private static final String TOKEN_TYPE =
                "org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoTrackingToken";

        private final MongoClient client;
        /**
         * Seeding the store of a running app, whose processors are past the seeded events already (those are stamped
         * an hour and more ago, and the processors have handled the app's own first events): no tokens are written,
         * the processors' own stay.
         */
        private final boolean intoRunningApp;
        private final int keys;
        private final int sample;
        private final Random random = new Random(20261202);
        private final Instant end = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        private final Instant start = end.minus(HISTORY);
        private final Map<String, List<Document>> pending = new LinkedHashMap<>();
        private final Map<String, MongoCollection<Document>> collections = new LinkedHashMap<>();
        private final Map<String, Long> lastWindow = new LinkedHashMap<>();
        private Instant last = Instant.EPOCH;
        private long events;
        private long written;
        private int insertCounter;
        private final java.util.concurrent.ExecutorService writers =
                java.util.concurrent.Executors.newFixedThreadPool(1, task -> {
                    Thread writer = new Thread(task, "seed-writer");
                    writer.setDaemon(true); // a failed insert ends the program instead of leaving it waiting
                    return writer;
                });
        private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(2);
        private final List<java.util.concurrent.Future<?>> writes = new ArrayList<>();
        private final long started = System.nanoTime();
        private final List<String[]> secrets = new ArrayList<>();
        private final List<String> activeKeyIds = new ArrayList<>();

        HistorySeeder(MongoClient client, int keys, int sample, boolean intoRunningApp) {
            this.client = client;
            this.intoRunningApp = intoRunningApp;
            this.keys = keys;
            this.sample = sample;
            for (String name : List.of("domainevents", "audit_logs", "audit_log_aggregates", "trackingtokens")) {
                collections.put(name, client.getDatabase(DATABASE).getCollection(name));
            }
            for (String name : List.of("api_keys", "key_deadlines", "alert_key_state")) {
                collections.put(name, client.getDatabase(KEY_DATABASE).getCollection(name));
            }
            collections.keySet().forEach(name -> pending.put(name, new ArrayList<>(BATCH)));
        }

        private static Map<String, Integer> processors() {
            String setting = System.getenv().getOrDefault("SEED_PROCESSORS",
                    "key-query-view:4,audit-view:4,key-deadlines:4,alerting:4,redis-validation-view:2");
            Map<String, Integer> processors = new LinkedHashMap<>();
            for (String entry : setting.split(",")) {
                String[] parts = entry.trim().split(":");
                processors.put(parts[0], Integer.parseInt(parts[1]));
            }
            return processors;
        }

        void seed(Path secretsFile, Path activeKeysFile) throws IOException {
            MongoCollection<Document> existing = collections.get("domainevents");
            if (!intoRunningApp
                    && (existing.countDocuments() > 0 || collections.get("trackingtokens").countDocuments() > 0)) {
                throw new IllegalStateException("seed-history wants an empty store: the tokens it writes say the "
                        + "projections have seen every event, which is only true of the events it writes itself");
            }
            int sampleEvery = Math.max(1, keys / Math.max(1, sample * 2));
            for (int k = 0; k < keys; k++) {
                boolean sampled = secrets.size() < sample && k % sampleEvery == 0;
                new KeyHistory(k, sampled).write();
                if ((k + 1) % 5000 == 0) {
                    System.err.printf("seeded %,d keys, %,d events (%.0f s)%n", k + 1, events,
                            (System.nanoTime() - started) / 1e9);
                }
            }
            pending.keySet().forEach(this::flush);
            awaitWrites();
            if (!intoRunningApp) {
                // the tokens last, once every event they claim to have seen is stored
                writeTokens();
                awaitWrites();
            }
            writers.shutdown();
            writeOwnerOnly(secretsFile, secrets.stream().map(row -> row[0] + "\t" + row[1]).toList());
            writeOwnerOnly(activeKeysFile, activeKeyIds);
            System.out.printf(Locale.ROOT, "{\"seeded\": %d, \"keys\": %d, \"documents\": %d, \"first\": \"%s\", "
                            + "\"last\": \"%s\", \"sampled_secrets\": %d, \"active_keys\": %d, \"seconds\": %.3f}%n",
                    events, keys, written, start, last, secrets.size(), activeKeyIds.size(),
                    (System.nanoTime() - started) / 1e9);
        }

        /** The file is created owner-only before anything is written to it: it may hold plaintext keys. */
        private static void writeOwnerOnly(Path file, List<String> lines) throws IOException {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.APPEND)) {
                for (String line : lines) {
                    out.write(line);
                    out.write('\n');
                }
            }
        }

        private void add(String collection, Document document) {
            List<Document> batch = pending.get(collection);
            batch.add(document);
            if (batch.size() >= BATCH) {
                flush(collection);
            }
        }

        /**
         * Hands a full batch to the writer, so the next one is made while the server stores this one. One writer:
         * the batches are stored in the order they were made.
         */
        private void flush(String collection) {
            List<Document> batch = pending.get(collection);
            if (batch.isEmpty()) {
                return;
            }
            List<Document> documents = List.copyOf(batch);
            batch.clear();
            written += documents.size();
            inFlight.acquireUninterruptibly();
            writes.add(writers.submit(() -> {
                try {
                    collections.get(collection).insertMany(documents, new InsertManyOptions().ordered(false));
                } finally {
                    inFlight.release();
                }
                return null;
            }));
            writes.removeIf(write -> write.isDone() && succeeded(write));
        }

        private static boolean succeeded(java.util.concurrent.Future<?> write) {
            try {
                write.get();
                return true;
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a batch insert failed", e);
            }
        }

        private void awaitWrites() {
            writes.forEach(HistorySeeder::succeeded);
            writes.clear();
        }

        /**
         * One token per segment, as MongoTokenStore keeps it, positioned after the last seeded event: its timestamp,
         * and the events of the look-back window before it, which the stream would otherwise hand out again.
         */
        private void writeTokens() {
            Map<String, Long> tracked = new LinkedHashMap<>();
            lastWindow.forEach((id, millis) -> {
                if (millis >= last.minus(LOOK_BACK).toEpochMilli()) {
                    tracked.put(id, millis);
                }
            });
            String token = new Document("timestamp", last.toString()).append("trackedEvents", new Document(
                    new LinkedHashMap<>(tracked))).toJson();
            long now = Instant.now().toEpochMilli();
            PROCESSORS.forEach((processor, segments) -> {
                for (int segment = 0; segment < segments; segment++) {
                    add("trackingtokens", new Document("processorName", processor).append("segment", segment)
                            .append("owner", null).append("timestamp", now)
                            .append("token", new Binary(token.getBytes(StandardCharsets.UTF_8)))
                            .append("tokenType", TOKEN_TYPE));
                }
            });
            flush("trackingtokens");
        }

        /** One event of a key's history before it is given its sequence number and payload. */
        private record Planned(Instant at, String type, int order) {
        }

        /** One key's life: planned as a list of dated events, then folded in order into events and views. */
        private final class KeyHistory {
            final int index;
            final boolean sampled;
            final String keyId;
            final String ownerId;
            final String environment;
            final List<Planned> plan = new ArrayList<>();
            Instant expiresAt;
            Duration grace;

            // the key as the events so far leave it: what the aggregate, and each view, hold
            String secret;
            String keyHash;
            String prefix;
            String previousSecret;
            String previousKeyHash;
            Instant previousKeyExpiresAt;
            Instant rotatedAt;
            String status;
            String name;
            List<String> permissions;
            Document metadata;
            Document rateLimit;
            Instant createdAt;
            Instant revokedAt;
            Instant lastUsedAt;
            Instant foldedUntil;
            long totalUses;
            long rejectedUses;
            final List<Document> retiredSecrets = new ArrayList<>();
            final Map<String, String> epochs = new LinkedHashMap<>();
            final Map<String, Long> batchSeqs = new LinkedHashMap<>();
            Document alertGrace;
            double usageMean;
            long usageWindows;
            Instant lastFlushedAt;
            long sequence = -1;

            KeyHistory(int index, boolean sampled) {
                this.index = index;
                this.sampled = sampled;
                this.keyId = "key_" + base62(new BigInteger(1, bytes(16)), 22);
                this.ownerId = "owner-" + (index % OWNERS);
                this.environment = random.nextInt(10) == 0 ? "test" : "live";
            }

            void write() {
                planLife();
                plan.sort(Comparator.comparing(Planned::at).thenComparing(Planned::order));
                Instant previous = Instant.EPOCH;
                for (Planned planned : plan) {
                    // strictly increasing within the key, as one aggregate's commits are
                    Instant at = planned.at().isAfter(previous) ? planned.at() : previous.plusMillis(1);
                    previous = at;
                    apply(planned.type(), at);
                }
                foldedUntil = previous;
                writeViews();
                boolean usable = status.equals("ACTIVE") || status.equals("ROTATING");
                if (usable && (expiresAt == null || expiresAt.isAfter(end.plus(Duration.ofDays(1))))) {
                    if (sampled) {
                        secrets.add(new String[] {keyId, secret});
                    } else if (activeKeyIds.size() < 5000) {
                        activeKeyIds.add(keyId);
                    }
                }
            }

            /**
             * About 20 events on average: the creation, hourly usage flushes for 0-34 hours of its life, updates for
             * some, a rotation with some grace for a quarter, and an end (revoked, or expired) for some.
             */
            void planLife() {
                int usageHours = random.nextInt(35);
                long lifeHours = usageHours + 1 + random.nextInt(48);
                Instant created = start.plusMillis((long) (random.nextDouble()
                        * (HISTORY.toMillis() - Duration.ofHours(lifeHours + 1).toMillis())));
                Instant lifeEnd = created.plus(Duration.ofHours(lifeHours));
                plan.add(new Planned(created, "Created", 0));
                long offset = random.nextInt(3_600_000);
                for (int hour = 1; hour <= usageHours; hour++) {
                    plan.add(new Planned(created.plusMillis(hour * 3_600_000L - 3_600_000L + offset + 60_000), "Used", 1));
                }
                int updates = random.nextInt(100) < 55 ? 0 : random.nextInt(100) < 66 ? 1 : 2;
                for (int u = 0; u < updates; u++) {
                    plan.add(new Planned(within(created, lifeEnd), "Updated", 1));
                }
                int fate = random.nextInt(100);
                boolean revoked = fate < 10;
                boolean expires = fate >= 10 && fate < 17;
                if (expires) {
                    expiresAt = lifeEnd;
                    plan.add(new Planned(lifeEnd.plusMillis(1000 + random.nextInt(29_000)), "Expired", 2));
                } else if (fate >= 17 && fate < 25) {
                    expiresAt = end.plus(Duration.ofDays(30 + random.nextInt(335)));
                }
                if (revoked) {
                    plan.add(new Planned(lifeEnd, "Revoked", 2));
                }
                if (random.nextInt(4) == 0) {
                    Instant rotation = within(created.plusSeconds(600), lifeEnd);
                    int choice = random.nextInt(10);
                    grace = choice < 2 ? Duration.ZERO : choice < 5 ? Duration.ofHours(1)
                            : choice < 8 ? Duration.ofDays(1) : Duration.ofDays(7);
                    plan.add(new Planned(rotation, "Rotated", 1));
                    Instant graceEnd = rotation.plus(grace);
                    // a revocation or expiry ends the grace too; the sweeper records an end only before that
                    boolean endsFirst = (revoked || expires) && !graceEnd.plusSeconds(30).isBefore(lifeEnd);
                    if (!grace.isZero() && !endsFirst && graceEnd.plusSeconds(30).isBefore(end)) {
                        // recorded by the deadline sweeper shortly after the grace ran out
                        plan.add(new Planned(graceEnd.plusMillis(1000 + random.nextInt(29_000)), "RotationGraceEnded", 1));
                    }
                }
            }

            Instant within(Instant from, Instant to) {
                return from.plusMillis((long) (random.nextDouble() * Math.max(1, Duration.between(from, to).toMillis())));
            }

            void apply(String type, Instant at) {
                sequence++;
                Document payload;
                String actor = ROOT_ACTOR;
                boolean fromApi = true;
                Instant stamp = at.plusMillis(2 + random.nextInt(30));
                switch (type) {
                    case "Created" -> {
                        newSecret(null);
                        createdAt = at;
                        status = "ACTIVE";
                        name = "key " + index;
                        permissions = permissionsOf(random.nextInt(4));
                        metadata = random.nextBoolean() ? null
                                : new Document("team", "team-" + (index % 40)).append("service", "svc-" + (index % 300));
                        rateLimit = random.nextInt(10) < 3
                                ? new Document("limit", 1000).append("windowSeconds", 60) : null;
                        payload = new Document("keyId", keyId).append("keyHash", keyHash).append("prefix", prefix)
                                .append("environment", environment).append("ownerId", ownerId).append("name", name)
                                .append("permissions", permissions).append("scope", null)
                                .append("expiresAt", text(expiresAt)).append("rateLimit", rateLimit)
                                .append("metadata", metadata).append("createdAt", at.toString());
                    }
                    case "Updated" -> {
                        List<String> changed = new ArrayList<>();
                        switch (random.nextInt(3)) {
                            case 0 -> {
                                permissions = permissionsOf(1 + random.nextInt(4));
                                changed.add("permissions");
                            }
                            case 1 -> {
                                rateLimit = new Document("limit", 100 * (1 + random.nextInt(50)))
                                        .append("windowSeconds", 60);
                                changed.add("rateLimit");
                            }
                            default -> {
                                metadata = new Document("team", "team-" + random.nextInt(40))
                                        .append("costCenter", "cc-" + random.nextInt(1000));
                                changed.add("metadata");
                            }
                        }
                        if (random.nextInt(4) == 0) {
                            name = "key " + index + " (renamed " + sequence + ")";
                            changed.add("name");
                        }
                        payload = new Document("keyId", keyId).append("keyHash", keyHash)
                                .append("previousKeyHash", previousKeyHash).append("name", name)
                                .append("permissions", permissions).append("scope", null).append("metadata", metadata)
                                .append("rateLimit", rateLimit).append("expiresAt", text(expiresAt))
                                .append("changedFields", changed).append("updatedAt", at.toString());
                    }
                    case "Rotated" -> {
                        String oldHash = keyHash;
                        String oldSecret = secret;
                        newSecret(oldHash);
                        Instant previousEnds = at.plus(grace);
                        payload = new Document("keyId", keyId).append("newKeyHash", keyHash)
                                .append("newPrefix", prefix).append("previousKeyHash", oldHash)
                                .append("previousKeyExpiresAt", previousEnds.toString()).append("retiredKeyHash", null)
                                .append("rotatedAt", at.toString());
                        rotatedAt = at;
                        alertGrace = new Document("previousKeyHash", oldHash).append("rotatedAt", date(at))
                                .append("endsAt", date(previousEnds));
                        if (grace.isZero()) {
                            retiredSecrets.add(new Document("hash", oldHash).append("endedAt", date(at)));
                            status = "ACTIVE";
                            previousKeyHash = null;
                            previousSecret = null;
                            previousKeyExpiresAt = null;
                        } else {
                            status = "ROTATING";
                            previousKeyHash = oldHash;
                            previousSecret = oldSecret;
                            previousKeyExpiresAt = previousEnds;
                        }
                        // finding a secret in its predecessor's Redis slot takes the command a moment
                        stamp = at.plusMillis(20 + random.nextInt(300));
                    }
                    case "RotationGraceEnded" -> {
                        payload = new Document("keyId", keyId).append("previousKeyHash", previousKeyHash)
                                .append("endedAt", previousKeyExpiresAt.toString());
                        retiredSecrets.add(new Document("hash", previousKeyHash)
                                .append("endedAt", date(previousKeyExpiresAt)));
                        status = "ACTIVE";
                        previousKeyHash = null;
                        previousSecret = null;
                        previousKeyExpiresAt = null;
                        actor = DEADLINE_ACTOR;
                        fromApi = false;
                    }
                    case "Revoked" -> {
                        payload = new Document("keyId", keyId).append("keyHash", keyHash)
                                .append("previousKeyHash", previousKeyHash).append("reason", "no longer needed")
                                .append("revokedAt", at.toString());
                        status = "REVOKED";
                        revokedAt = at;
                    }
                    case "Expired" -> {
                        payload = new Document("keyId", keyId).append("keyHash", keyHash)
                                .append("previousKeyHash", previousKeyHash).append("expiredAt", expiresAt.toString());
                        status = "EXPIRED";
                        actor = DEADLINE_ACTOR;
                        fromApi = false;
                    }
                    default -> {
                        payload = used(at);
                        actor = USAGE_ACTOR;
                        fromApi = false;
                    }
                }
                Document metaData = new Document("actor", actor);
                String trace = uuid();
                metaData.append("traceId", trace).append("correlationId", trace);
                if (fromApi) {
                    metaData.append("source", "10.0." + (index % 250) + "." + (1 + index % 200));
                }
                String eventId = uuid();
                // the ObjectId says when the event was inserted (the late-commit sweeper reads it): at its timestamp
                add("domainevents", new Document("_id", new ObjectId(Date.from(stamp), insertCounter++ & 0xFFFFFF))
                        .append("aggregateIdentifier", keyId)
                        .append("type", "ApiKey")
                        .append("sequenceNumber", sequence)
                        .append("serializedPayload", payload.toJson())
                        .append("timestamp", stamp.toString())
                        .append("payloadType", PAYLOAD_PACKAGE + "ApiKey" + type + "Event")
                        .append("payloadRevision", null)
                        .append("serializedMetaData", metaData.toJson())
                        .append("eventIdentifier", eventId));
                events++;
                if (stamp.isAfter(last)) {
                    last = stamp;
                }
                if (!stamp.isBefore(end.minus(Duration.ofMinutes(1)))) {
                    lastWindow.put(eventId, stamp.toEpochMilli());
                }
                addAuditEntry(eventId, "ApiKey" + type, payload, metaData, stamp);
            }

            /** One flush of the key's uses in the hour before {@code at}: one batch per secret that was used. */
            Document used(Instant at) {
                List<Document> batches = new ArrayList<>();
                long valid = 1 + random.nextInt(MAX_USES_PER_HOUR);
                long rejected = random.nextInt(20) == 0 ? 1 + random.nextInt(5) : 0;
                Instant usedAt = at.minusMillis(1000 + random.nextInt(55_000));
                batches.add(batch(keyHash, valid, rejected, usedAt));
                // a client still on the previous secret, early in its grace (late uses would raise an alert)
                if (previousKeyHash != null && at.isBefore(rotatedAt.plus(grace.dividedBy(2))) && random.nextBoolean()) {
                    long previousUses = 1 + random.nextInt(20);
                    batches.add(batch(previousKeyHash, previousUses, 0, usedAt.minusMillis(500)));
                    valid += previousUses;
                }
                totalUses += valid;
                rejectedUses += rejected;
                if (lastUsedAt == null || usedAt.isAfter(lastUsedAt)) {
                    lastUsedAt = usedAt;
                }
                observeUsage(valid, at);
                return new Document("keyId", keyId).append("batches", batches).append("flushedAt", at.toString());
            }

            Document batch(String hash, long valid, long rejected, Instant usedAt) {
                String epoch = epochs.computeIfAbsent(hash, h -> uuid());
                long batchSeq = batchSeqs.merge(hash, 1L, Long::sum);
                return new Document("keyHash", hash).append("batchEpoch", epoch).append("batchSeq", batchSeq)
                        .append("validUses", valid).append("rejectedUses", rejected)
                        .append("lastUsedAt", usedAt.toString());
            }

            /** The alert rules' usage baseline (UsageBaseline.observe with the default settings). */
            void observeUsage(long uses, Instant flushedAt) {
                if (lastFlushedAt == null) {
                    usageMean = uses;
                    usageWindows = 1;
                    lastFlushedAt = flushedAt;
                    return;
                }
                long elapsed = Math.max(1, Math.round((double) Duration.between(lastFlushedAt, flushedAt).toMillis()
                        / USAGE_WINDOW.toMillis()));
                double decayed = usageMean * Math.pow(1 - USAGE_SMOOTHING, elapsed - 1);
                usageMean = USAGE_SMOOTHING * uses + (1 - USAGE_SMOOTHING) * decayed;
                usageWindows += elapsed;
                lastFlushedAt = flushedAt.isAfter(lastFlushedAt) ? flushedAt : lastFlushedAt;
            }

            List<String> permissionsOf(int extra) {
                LinkedHashSet<String> chosen = new LinkedHashSet<>(List.of("payments:read"));
                for (int i = 0; i < extra; i++) {
                    chosen.add(PERMISSIONS[random.nextInt(PERMISSIONS.length)]);
                }
                return List.copyOf(chosen);
            }

            /**
             * A new secret in the key's format. For the sampled keys, whose secrets the bench uses, a rotated secret
             * is found in its predecessor's Redis Cluster slot as the command side does; the others' secrets are
             * never used, so they skip that search (16,384 hashes on average).
             */
            void newSecret(String predecessor) {
                String candidate;
                do {
                    candidate = secretText();
                } while (sampled && predecessor != null && slot(sha256(candidate)) != slot(predecessor));
                secret = candidate;
                keyHash = sha256(candidate);
                prefix = candidate.substring(0, 12);
            }

            String secretText() {
                String body = "ss_" + environment + "_" + base62(new BigInteger(1, bytes(32)), 43);
                CRC32 crc = new CRC32();
                crc.update(body.getBytes(StandardCharsets.US_ASCII));
                return body + base62(BigInteger.valueOf(crc.getValue()), 6);
            }

            /**
             * The audit view's entry (AuditEntryFactory): the payload without any field whose name ends in "hash",
             * the request's source added, kept for the audit retention.
             */
            void addAuditEntry(String eventId, String eventType, Document payload, Document metaData, Instant stamp) {
                Document data = withoutHashes(payload);
                if (metaData.containsKey("source")) {
                    data.putIfAbsent("source", metaData.getString("source"));
                }
                boolean warning = eventType.equals("ApiKeyRevoked") || eventType.equals("ApiKeyExpired");
                add("audit_logs", new Document("_id", eventId).append("eventType", eventType)
                        .append("severity", warning ? "WARNING" : "INFO").append("userId", ownerId)
                        .append("actor", metaData.getString("actor")).append("resourceType", "api_key")
                        .append("resourceId", keyId).append("timestamp", date(stamp)).append("metadata", data)
                        .append("service", "command-side").append("environment", environment)
                        .append("sequence", sequence).append("expireAt", date(stamp.plus(AUDIT_RETENTION))));
            }

            /** The views after the key's last event, as each projection stores it. */
            void writeViews() {
                Document keyView = new Document("_id", keyId).append("ownerId", ownerId).append("name", name)
                        .append("prefix", prefix).append("environment", environment.toUpperCase(Locale.ROOT))
                        .append("permissions", permissions).append("status", status)
                        .append("createdAt", date(createdAt));
                putIfSet(keyView, "expiresAt", date(expiresAt));
                putIfSet(keyView, "lastUsedAt", date(lastUsedAt));
                putIfSet(keyView, "rotatedAt", date(rotatedAt));
                putIfSet(keyView, "rotationExpiresAt", date(previousKeyExpiresAt));
                putIfSet(keyView, "revokedAt", date(revokedAt));
                putIfSet(keyView, "rateLimit", rateLimit);
                putIfSet(keyView, "metadata", metadata);
                keyView.append("usage", new Document("total", totalUses).append("rejected", rejectedUses))
                        .append("keyHash", keyHash);
                putIfSet(keyView, "previousKeyHash", previousKeyHash);
                keyView.append("retiredSecrets", retiredSecrets).append("version", sequence)
                        .append("foldedUntil", date(foldedUntil))
                        .append("_class", "com.spendsync.query.keyview.KeyView");
                add("api_keys", keyView);

                boolean ended = status.equals("REVOKED") || status.equals("EXPIRED");
                Instant deadlineExpiry = ended ? null : expiresAt;
                Instant graceEnds = ended ? null : previousKeyExpiresAt;
                Instant due = deadlineExpiry == null ? graceEnds : graceEnds == null ? deadlineExpiry
                        : graceEnds.isBefore(deadlineExpiry) ? graceEnds : deadlineExpiry;
                add("key_deadlines", new Document("_id", keyId).append("expiresAt", date(deadlineExpiry))
                        .append("graceEndsAt", date(graceEnds)).append("due", date(due)).append("sequence", sequence));

                Document usage = new Document("mean", usageMean).append("windows", usageWindows);
                putIfSet(usage, "lastFlushedAt", date(lastFlushedAt));
                Document keyState = new Document("_id", keyId).append("prefix", prefix).append("ownerId", ownerId)
                        .append("environment", environment.toUpperCase(Locale.ROOT)).append("permissions", permissions);
                putIfSet(keyState, "expiresAt", date(expiresAt));
                keyState.append("status", status);
                putIfSet(keyState, "grace", alertGrace);
                keyState.append("usage", usage).append("warnings", List.of()).append("appliedSequence", sequence)
                        .append("_class", "com.spendsync.alerting.rules.KeyState");
                add("alert_key_state", keyState);

                add("audit_log_aggregates", new Document("_id", keyId).append("lastSequence", sequence)
                        .append("ownerId", ownerId).append("environment", environment));
            }
        }

        private static void putIfSet(Document document, String field, Object value) {
            if (value != null) {
                document.append(field, value);
            }
        }

        private static Document withoutHashes(Document fields) {
            Document kept = new Document();
            fields.forEach((name, value) -> {
                if (!name.toLowerCase(Locale.ROOT).endsWith("hash")) {
                    kept.append(name, withoutHashes(value));
                }
            });
            return kept;
        }

        private static Object withoutHashes(Object value) {
            if (value instanceof Document document) {
                return withoutHashes(document);
            }
            if (value instanceof List<?> list) {
                return list.stream().map(HistorySeeder::withoutHashes).toList();
            }
            return value;
        }

        private static String text(Instant instant) {
            return instant == null ? null : instant.toString();
        }

        private static Date date(Instant instant) {
            return instant == null ? null : Date.from(instant);
        }

        private byte[] bytes(int count) {
            byte[] bytes = new byte[count];
            random.nextBytes(bytes);
            return bytes;
        }

        private String uuid() {
            return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                    (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        }

        private static String base62(BigInteger value, int width) {
            String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            char[] out = new char[width];
            BigInteger base = BigInteger.valueOf(62);
            for (int i = width - 1; i >= 0; i--) {
                BigInteger[] division = value.divideAndRemainder(base);
                out[i] = digits.charAt(division[1].intValue());
                value = division[0];
            }
            return new String(out);
        }

        private static String sha256(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(StandardCharsets.US_ASCII)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Redis Cluster's slot of a hash tag (CRC16/XMODEM mod 16384), as HashSlot computes it. */
        private static int slot(String tag) {
            int crc = 0;
            for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
                crc ^= (b & 0xff) << 8;
                for (int bit = 0; bit < 8; bit++) {
                    crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
                }
            }
            return crc % 16384;
        }
    }
}
