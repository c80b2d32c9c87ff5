package com.spendsync.platform.integrity;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.spendsync.embedded.EmbeddedMongo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.StorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.serialization.json.JacksonSerializer;
import org.bson.Document;

/** An event store on the embedded MongoDB-wire server, with its seals and a signing key: one test's trail. */
final class TrailStore implements AutoCloseable {

    static final EventEntryConfiguration FIELDS = EventEntryConfiguration.getDefault();

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
        return new AuditSealer(moved, seals, key, node, Clock.systemUTC(), Duration.ofHours(1),
                data.resolve("seals.ndjson"), null);
    }

    StoredChains.Report verify() {
        return new TrailIntegrity(stored, seals, key.publicKey()).verify();
    }

    @Override
    public void close() {
        client.close();
        mongo.close();
    }
}
