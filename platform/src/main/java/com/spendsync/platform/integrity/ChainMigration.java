package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.spendsync.api.audit.AuditTrailChainedEvent;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Chains the events a store kept before SpendSync chained its events, once, at the first start that finds any
 * (docs/architecture.md, "Tamper-evident audit trail"): each stream in sequence order, as if appended so (a fact of no
 * aggregate is the one event of its stream), then the heads sealed in seals marked {@code migration}, at most
 * {@link #HEADS_PER_SEAL} to a seal. It runs before the event processors and the web server start, so nothing
 * appends meanwhile; a stream already continued by chained events (written by this version while an older one ran
 * on the same store) keeps its older events unchained rather than have their successors' links rewritten, and the
 * check counts them as unchained.
 */
public final class ChainMigration implements SmartLifecycle {

    static final int HEADS_PER_SEAL = 5_000;
    private static final Logger log = LoggerFactory.getLogger(ChainMigration.class);
    private static final int BATCH = 1_000;

    /** Where a migration that ran is recorded ({@code _id} {@value #DONE}), in the audit database. */
    public static final String MARKERS = "audit_chain_migration";
    private static final String DONE = "chain-migration";

    private final MongoCollection<Document> events;
    private final MongoCollection<Document> markers;
    private final SealStore seals;
    private final SigningKey key;
    private final String node;
    private final Clock clock;
    private final EventEntryConfiguration fields = TrailIntegrity.FIELDS;
    private volatile boolean running;

    private final Consumer<AuditTrailChainedEvent> audit;

    /** @param audit publishes the migration's own record into the trail */
    public ChainMigration(MongoCollection<Document> events, MongoCollection<Document> markers, SealStore seals,
                          SigningKey key, String node, Clock clock, Consumer<AuditTrailChainedEvent> audit) {
        this.events = events;
        this.markers = markers;
        this.seals = seals;
        this.key = key;
        this.node = node;
        this.clock = clock;
        this.audit = audit;
    }

    /** What a migration did. */
    public record Result(long eventsChained, long streamsLeftUnchained, int seals) {
    }

    /**
     * Chains and seals the unchained events, if any, unless a migration ran on this store before: what it left
     * unchained stays so, and later starts need not walk the store again to find that out.
     */
    public Result migrate() {
        if (markers.find(eq("_id", DONE)).first() != null
                || events.find(eq(EventChain.CHAIN, null)).projection(new Document("_id", 1)).first() == null) {
            return new Result(0, 0, 0);
        }
        long started = System.nanoTime();
        List<Seal.SealedHead> heads = new ArrayList<>();
        List<UpdateOneModel<Document>> updates = new ArrayList<>();
        long chained = 0;
        long leftUnchained = 0;
        String stream = null;
        boolean migrating = false;
        String previous = EventChain.GENESIS;
        Seal.SealedHead head = null;
        // every event by Axon's (aggregate, sequence) index: one stream after the other, each in sequence order
        for (Document event : events.find().sort(Sorts.ascending(fields.aggregateIdentifierProperty(),
                fields.sequenceNumberProperty())).batchSize(BATCH)) {
            String aggregate = Objects.toString(event.get(fields.aggregateIdentifierProperty()));
            if (!aggregate.equals(stream)) {
                if (head != null) {
                    heads.add(head);
                }
                stream = aggregate;
                head = null;
                previous = EventChain.GENESIS;
                boolean legacy = event.get(EventChain.HASH) == null;
                // a stream some of whose events are chained already: its older ones stay as they are
                migrating = legacy && events.find(eq(EventChain.CHAIN, aggregate)).projection(new Document("_id", 1))
                        .first() == null;
                leftUnchained += legacy && !migrating ? 1 : 0;
            }
            if (!migrating) {
                continue;
            }
            long position = event.get(fields.sequenceNumberProperty(), Number.class).longValue();
            String hash = EventChain.hash(event, fields, aggregate, position, previous);
            updates.add(new UpdateOneModel<>(eq("_id", event.get("_id")), Updates.combine(
                    Updates.set(EventChain.CHAIN, aggregate), Updates.set(EventChain.POSITION, position),
                    Updates.set(EventChain.PREVIOUS, previous), Updates.set(EventChain.HASH, hash))));
            previous = hash;
            head = new Seal.SealedHead(aggregate, position, hash);
            chained++;
            if (updates.size() >= BATCH) {
                events.bulkWrite(updates);
                updates.clear();
            }
        }
        if (head != null) {
            heads.add(head);
        }
        if (!updates.isEmpty()) {
            events.bulkWrite(updates);
        }
        int sealed = seal(heads);
        markers.replaceOne(eq("_id", DONE), new Document("_id", DONE).append("at", Date.from(clock.instant()))
                .append("eventsChained", chained), new ReplaceOptions().upsert(true));
        audit.accept(new AuditTrailChainedEvent(chained, heads.size(), sealed, leftUnchained, clock.instant()));
        log.info("Chained {} events stored before chaining, in {} streams, and sealed them in {} migration seal(s) in"
                + " {} ms; {} stream(s) keep unchained events", chained, heads.size(), sealed,
                (System.nanoTime() - started) / 1_000_000, leftUnchained);
        return new Result(chained, leftUnchained, sealed);
    }

    private int seal(List<Seal.SealedHead> heads) {
        int sealed = 0;
        for (int from = 0; from < heads.size(); from += HEADS_PER_SEAL) {
            seals.append(heads.subList(from, Math.min(heads.size(), from + HEADS_PER_SEAL)), true, node, key, clock);
            sealed++;
        }
        return sealed;
    }

    /** Before the event processors, the sealer and the web server: nothing appends while it runs. */
    @Override
    public void start() {
        migrate();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 500;
    }
}
