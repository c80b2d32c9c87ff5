import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Sorts;
import com.spendsync.platform.integrity.ChainedEventStorageStrategy;
import com.spendsync.platform.integrity.EventChain;
import com.spendsync.platform.integrity.MovedChains;
import com.spendsync.platform.integrity.Seal;
import com.spendsync.platform.integrity.SealStore;
import com.spendsync.platform.integrity.SigningKey;
import com.spendsync.platform.integrity.StoredChains;
import com.spendsync.platform.integrity.TrailIntegrity;
import java.io.BufferedWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;

/**
 * The audit trail at scale for bench/integrity-scale-bench.sh, with the app's own jars on the class path (the
 * chain hash, seals and the online check are the app's classes, not copies):
 *
 * <pre>
 *   seed URI DATA_DIR KEYS       KEYS keys x 20 chained events, one fact per ten on four service chains, sealed a
 *                                block of 1,000 keys at a time with DATA_DIR's signing key (made if missing)
 *   read URI                     a plain driver read of every stored event, in chain order through the chain index
 *   online URI DATA_DIR [FROM]   the online check (TrailIntegrity, as GET /v1/audit-logs/integrity runs it)
 *   export URI DATA_DIR DIR      events.ndjson, seals.ndjson and public-key.pem, as the API exports them
 *   seal-instant URI N           the instant of seal N, for a period check from it
 * </pre>
 *
 * Each prints one JSON line with its figures.
 */
public class TrailTool {

    private static final EventEntryConfiguration FIELDS = TrailIntegrity.FIELDS;
    private static final int EVENTS_PER_KEY = 20;
    private static final int BLOCK = 1_000;
    private static final String[] TYPES = {"ApiKeyCreatedEvent", "ApiKeyUpdatedEvent", "ApiKeyRotatedEvent",
            "ApiKeyUsageRecordedEvent", "ApiKeyRateLimitChangedEvent"};

    public static void main(String[] args) throws Exception {
        // the driver logs to standard output through the app's logback; the figures go there alone
        java.io.PrintStream figures = System.out;
        System.setOut(System.err);
        try (MongoClient client = MongoClients.create(args[1])) {
            MongoDatabase database = client.getDatabase("spendsync_audit");
            MongoCollection<Document> events = database.getCollection("domainevents");
            SealStore seals = new SealStore(database.getCollection(SealStore.COLLECTION));
            long started = System.nanoTime();
            String result = switch (args[0]) {
                case "seed" -> seed(database, events, seals, Path.of(args[2]), Integer.parseInt(args[3]));
                case "read" -> read(events);
                case "online" -> online(events, seals, Path.of(args[2]), args.length > 3 ? Instant.parse(args[3]) : null);
                case "export" -> export(events, seals, Path.of(args[2]), Path.of(args[3]));
                case "seal-instant" -> "\"" + database.getCollection(SealStore.COLLECTION)
                        .find(new Document("_id", Long.parseLong(args[2]))).first().getDate("sealedAt").toInstant() + "\"";
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            };
            double seconds = (System.nanoTime() - started) / 1e9;
            figures.println(result.startsWith("{")
                    ? result.substring(0, result.length() - 1) + ", \"seconds\": " + seconds + "}" : result);
        }
    }

    private static SigningKey key(Path dataDir) throws Exception {
        return SigningKey.load(dataDir.resolve("audit-signing-key.pem"), true);
    }

    private static String seed(MongoDatabase database, MongoCollection<Document> events, SealStore seals, Path dataDir,
                               int keys) throws Exception {
        new ChainedEventStorageStrategy(FIELDS, Duration.ofSeconds(10), new MovedChains())
                .ensureIndexes(events, database.getCollection("snapshotevents"));
        SigningKey key = key(dataDir);
        Random random = new Random(12);
        List<String> services = List.of(1, 2, 3, 4).stream()
                .map(n -> EventChain.SERVICE_CHAIN_PREFIX + new UUID(12, n)).toList();
        Map<String, long[]> servicePositions = new HashMap<>();
        Map<String, String> serviceHeads = new HashMap<>();
        Instant start = Instant.now().minus(Duration.ofDays(30));
        long written = 0;
        long sealsWritten = 0;
        for (int block = 0; block < keys; block += BLOCK) {
            int size = Math.min(BLOCK, keys - block);
            String[] heads = new String[size];
            List<Document> batch = new ArrayList<>(BLOCK);
            Map<String, Seal.SealedHead> moved = new HashMap<>();
            for (int sequence = 0; sequence < EVENTS_PER_KEY; sequence++) {
                for (int k = 0; k < size; k++) {
                    String keyId = "key_" + String.format("%08d", block + k);
                    Instant at = start.plusMillis(written * 50L);
                    Document event = keyEvent(keyId, sequence, at, random);
                    heads[k] = chain(event, keyId, sequence, sequence == 0 ? EventChain.GENESIS : heads[k]);
                    moved.put(keyId, new Seal.SealedHead(keyId, sequence, heads[k]));
                    batch.add(event);
                    written++;
                    if (written % 10 == 0) {
                        String service = services.get((int) (written / 10 % services.size()));
                        long position = servicePositions.computeIfAbsent(service, s -> new long[1])[0]++;
                        Document fact = fact(at, random);
                        serviceHeads.put(service, chain(fact, service, position,
                                serviceHeads.getOrDefault(service, EventChain.GENESIS)));
                        moved.put(service, new Seal.SealedHead(service, position, serviceHeads.get(service)));
                        batch.add(fact);
                        written++;
                    }
                    if (batch.size() >= BLOCK) {
                        events.insertMany(batch, new InsertManyOptions().ordered(false));
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                events.insertMany(batch, new InsertManyOptions().ordered(false));
            }
            Seal latest = seals.latest();
            Instant sealedAt = start.plusMillis(written * 50L);
            seals.add(Seal.sign(latest == null ? 0 : latest.sequence() + 1, latest == null ? EventChain.GENESIS
                    : latest.hash(), sealedAt, "seeder", false, List.copyOf(moved.values()), key));
            sealsWritten++;
            System.err.println("seeded " + written + " events, " + sealsWritten + " seals");
        }
        return "{\"phase\": \"seed\", \"keys\": " + keys + ", \"events\": " + written + ", \"seals\": " + sealsWritten + "}";
    }

    /** Sets the chain fields of a document about to be stored, as ChainedEventStorageStrategy does; its hash. */
    private static String chain(Document event, String chain, long position, String previous) {
        String hash = EventChain.hash(event, FIELDS, chain, position, previous);
        event.append(EventChain.CHAIN, chain).append(EventChain.POSITION, position)
                .append(EventChain.PREVIOUS, previous).append(EventChain.HASH, hash);
        return hash;
    }

    private static Document keyEvent(String keyId, long sequence, Instant at, Random random) {
        String type = TYPES[sequence == 0 ? 0 : 1 + random.nextInt(TYPES.length - 1)];
        String payload = "{\"keyId\":\"" + keyId + "\",\"ownerId\":\"owner_" + random.nextInt(5_000)
                + "\",\"name\":\"service key " + random.nextInt(1_000_000) + "\",\"permissions\":[\"keys:verify\",\"usage:read\"],"
                + "\"secretHash\":\"" + hex(random, 64) + "\",\"prefix\":\"sk_live\",\"at\":\"" + at + "\","
                + "\"rateLimit\":{\"limit\":" + (100 + random.nextInt(900)) + ",\"windowSeconds\":60}}";
        return new Document(FIELDS.eventIdentifierProperty(), UUID.randomUUID().toString())
                .append(FIELDS.aggregateIdentifierProperty(), keyId)
                .append(FIELDS.sequenceNumberProperty(), (long) sequence)
                .append(FIELDS.typeProperty(), "ApiKey")
                .append(FIELDS.timestampProperty(), DateTimeUtils.formatInstant(at))
                .append(FIELDS.payloadTypeProperty(), "com.spendsync.api.apikey." + type)
                .append(FIELDS.payloadRevisionProperty(), null)
                .append(FIELDS.payloadProperty(), payload)
                .append(FIELDS.metaDataProperty(), metaData(random));
    }

    private static Document fact(Instant at, Random random) {
        String id = UUID.randomUUID().toString();
        return new Document(FIELDS.eventIdentifierProperty(), id)
                .append(FIELDS.aggregateIdentifierProperty(), id)
                .append(FIELDS.sequenceNumberProperty(), 0L)
                .append(FIELDS.typeProperty(), null)
                .append(FIELDS.timestampProperty(), DateTimeUtils.formatInstant(at))
                .append(FIELDS.payloadTypeProperty(), "com.spendsync.api.audit.AuditLogReadEvent")
                .append(FIELDS.payloadRevisionProperty(), null)
                .append(FIELDS.payloadProperty(), "{\"filters\":{\"eventType\":\"ApiKeyRevokedEvent\"},\"format\":null,"
                        + "\"at\":\"" + at + "\"}")
                .append(FIELDS.metaDataProperty(), metaData(random));
    }

    private static String metaData(Random random) {
        return "{\"actor\":\"key_" + String.format("%08d", random.nextInt(1_000)) + "\",\"source\":\"10.0.0."
                + random.nextInt(255) + "\",\"traceId\":\"" + hex(random, 32) + "\",\"correlationId\":\""
                + UUID.randomUUID() + "\"}";
    }

    private static String hex(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(Character.forDigit(random.nextInt(16), 16));
        }
        return text.toString();
    }

    private static String read(MongoCollection<Document> events) {
        long[] counts = {0, 0};
        events.find().sort(Sorts.ascending(EventChain.CHAIN, EventChain.POSITION)).batchSize(1_000).forEach(event -> {
            counts[0]++;
            counts[1] += event.getString(FIELDS.payloadProperty()).length();
        });
        return "{\"phase\": \"read\", \"events\": " + counts[0] + ", \"payloadChars\": " + counts[1] + "}";
    }

    private static String online(MongoCollection<Document> events, SealStore seals, Path dataDir, Instant from)
            throws Exception {
        StoredChains.Report report = new TrailIntegrity(events, seals, key(dataDir).publicKey())
                .verify(new TrailIntegrity.Period(from, null));
        return "{\"phase\": \"" + (from == null ? "online" : "online-period") + "\", \"events\": "
                + report.eventsChecked() + ", \"seals\": " + report.sealsChecked() + ", \"verified\": "
                + report.verified() + ", \"problems\": " + report.problemCount() + ", \"first\": \""
                + report.problems().stream().limit(3).map(Object::toString).toList().toString().replace("\"", "'") + "\"}";
    }

    private static String export(MongoCollection<Document> events, SealStore seals, Path dataDir, Path directory)
            throws Exception {
        TrailIntegrity trail = new TrailIntegrity(events, seals, key(dataDir).publicKey());
        Files.createDirectories(directory);
        write(directory.resolve("events.ndjson"), trail::exportEvents);
        write(directory.resolve("seals.ndjson"), trail::exportSeals);
        Files.writeString(directory.resolve("public-key.pem"), key(dataDir).publicKeyPem(), StandardCharsets.US_ASCII);
        return "{\"phase\": \"export\", \"bytes\": " + Files.size(directory.resolve("events.ndjson")) + "}";
    }

    private static void write(Path file, Consumer<Writer> lines) throws Exception {
        try (Writer writer = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            lines.accept(writer);
        }
    }
}
