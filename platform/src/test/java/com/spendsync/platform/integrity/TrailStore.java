package com.spendsync.platform.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.spendsync.embedded.EmbeddedMongo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.StorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.serialization.json.JacksonSerializer;
import org.bson.Document;

/** An event store on the embedded MongoDB-wire server, with its seals and a signing key: one test's trail. */
final class TrailStore implements AutoCloseable {

    static final EventEntryConfiguration FIELDS = EventEntryConfiguration.getDefault();
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    final MongoCollection<Document> stored;
    final SealStore seals;
    final SigningKey key;
    final MongoClient client;
    private final EmbeddedMongo mongo;
    private final Path data;

    private TrailStore(Path data) throws IOException {
        this.data = data;
        this.mongo = EmbeddedMongo.start(data.resolve("mongo"), 0);
        this.client = MongoClients.create(mongo.uri());
        this.stored = client.getDatabase("audit").getCollection("domainevents");
        this.seals = new SealStore(client.getDatabase("audit").getCollection(SealStore.COLLECTION));
        this.key = SigningKey.load(data.resolve("signing-key.pem"), true);
    }

    static TrailStore start(Path data) throws IOException {
        return new TrailStore(data);
    }

    /** axon-mongo's storage engine on this store, as a service builds it, with this storage. */
    MongoEventStorageEngine engine(StorageStrategy strategy) {
        return MongoEventStorageEngine.builder()
                .mongoTemplate(DefaultMongoTemplate.builder().mongoDatabase(client, "audit").build())
                .eventSerializer(JacksonSerializer.defaultSerializer())
                .snapshotSerializer(JacksonSerializer.defaultSerializer())
                .storageStrategy(strategy)
                .build();
    }

    MongoEventStorageEngine chained(MovedChains moved) {
        return engine(new ChainedEventStorageStrategy(FIELDS, Duration.ofSeconds(10), moved));
    }

    AuditSealer sealer(MovedChains moved, String node) {
        return sealer(moved, node, Clock.systemUTC());
    }

    AuditSealer sealer(MovedChains moved, String node, Clock clock) {
        return new AuditSealer(moved, seals, key, node, clock, Duration.ofHours(1), data.resolve("seals.ndjson"), null);
    }

    /**
     * The online check of the whole trail, and the offline verifier on the exports of the same trail, which must
     * report the same: every test that verifies proves both.
     */
    StoredChains.Report verify() {
        TrailIntegrity trail = new TrailIntegrity(stored, seals, key.publicKey());
        StoredChains.Report online = trail.verify();
        assertThat(offline(trail)).isEqualTo(IntegrityReport.of(online));
        return online;
    }

    StoredChains.Report verify(TrailIntegrity.Period period) {
        return new TrailIntegrity(stored, seals, key.publicKey()).verify(period);
    }

    private IntegrityReport offline(TrailIntegrity trail) {
        try {
            Path exports = Files.createTempDirectory(data, "export");
            Path events = exports.resolve("events.ndjson");
            Path sealFile = exports.resolve("seals.ndjson");
            Path publicKey = exports.resolve("public-key.pem");
            try (Writer writer = Files.newBufferedWriter(events)) {
                trail.exportEvents(writer);
            }
            try (Writer writer = Files.newBufferedWriter(sealFile)) {
                trail.exportSeals(writer);
            }
            Files.writeString(publicKey, key.publicKeyPem());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = OfflineVerifier.run(List.of("--events", events.toString(), "--seals", sealFile.toString(),
                    "--public-key", publicKey.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isIn(0, 1);
            IntegrityReport report = JSON.readValue(out.toByteArray(), IntegrityReport.class);
            assertThat(status).isEqualTo(report.verified() ? 0 : 1);
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        mongo.close();
    }
}
