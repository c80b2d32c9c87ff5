package com.spendsync.platform.integrity;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import java.security.PublicKey;
import java.util.function.Consumer;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;

/** The online check: the seals from MongoDB, then every stored event through the chain index, streamed. */
public final class TrailIntegrity {

    public static final EventEntryConfiguration FIELDS = EventEntryConfiguration.getDefault();
    private static final int BATCH = 1_000;

    private final MongoCollection<Document> events;
    private final SealStore seals;
    private final PublicKey publicKey;

    public TrailIntegrity(MongoCollection<Document> events, SealStore seals, PublicKey publicKey) {
        this.events = events;
        this.seals = seals;
        this.publicKey = publicKey;
    }

    public StoredChains.Report verify() {
        return StoredChains.verify(seals::forEach, this::eachEventInChainOrder, FIELDS, publicKey);
    }

    /** Every stored event in chain order, as the export for the offline verifier lists them. */
    public void eachEventInChainOrder(Consumer<? super Document> consumer) {
        events.find().sort(Sorts.ascending(EventChain.CHAIN, EventChain.POSITION)).batchSize(BATCH)
                .forEach(consumer::accept);
    }

    public void eachSeal(Consumer<Seal> consumer) {
        seals.forEach(consumer);
    }
}
