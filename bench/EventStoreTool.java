import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.bson.Document;

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
            throw new IllegalArgumentException("usage: seed URI KEYS | scan URI | count URI COLLECTION");
        }
        try (MongoClient client = MongoClients.create(args[1])) {
            MongoCollection<Document> events = client.getDatabase(DATABASE).getCollection(COLLECTION);
            switch (args[0]) {
                case "seed" -> seed(events, Integer.parseInt(args[2]));
                case "scan" -> scan(events);
                case "seed-audit" -> seedAudit(client.getDatabase(DATABASE).getCollection("audit_logs"),
                        Integer.parseInt(args[2]));
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
}
