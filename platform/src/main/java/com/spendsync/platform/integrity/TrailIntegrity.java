package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.or;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.spendsync.platform.problem.StateConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The online check: the seals from MongoDB, then the stored events through the chain index, streamed; and the
 * exports the offline verifier reads, one JSON line per stored event or seal.
 */
public final class TrailIntegrity {

    public static final EventEntryConfiguration FIELDS = EventEntryConfiguration.getDefault();
    private static final int BATCH = 1_000;
    /**
     * How long before the newest seal a period open to now looks for events of chains no seal names: an event can
     * be stored a little after its timestamp, and after a seal that read the heads in between.
     */
    static final Duration UNSEALED_MARGIN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final MongoCollection<Document> events;
    private final SealStore seals;
    private final PublicKey publicKey;
    private final Semaphore checking;

    /**
     * A sealed period: the seals made in [from, to) and the events they seal, each chain from its head sealed before
     * {@code from} (whose event must still be the one sealed) to its newest head sealed before {@code to}. Open at
     * {@code to}, it also takes the events stored since the newest seal, as unsealed. Null ends are open; both null
     * is the whole trail.
     */
    public record Period(Instant from, Instant to) {

        public static final Period WHOLE = new Period(null, null);

        boolean whole() {
            return from == null && to == null;
        }
    }

    public TrailIntegrity(MongoCollection<Document> events, SealStore seals, PublicKey publicKey) {
        this(events, seals, publicKey, new Semaphore(1));
    }

    /** @param checking held by the check that runs: a check walks the trail, so they run one at a time */
    TrailIntegrity(MongoCollection<Document> events, SealStore seals, PublicKey publicKey, Semaphore checking) {
        this.events = events;
        this.seals = seals;
        this.publicKey = publicKey;
        this.checking = checking;
    }

    public StoredChains.Report verify() {
        return verify(Period.WHOLE);
    }

    /**
     * The whole trail, or every seal made before the period's end and then only the events of the chains that
     * moved in it; refused while another check runs on this instance.
     */
    public StoredChains.Report verify(Period period) {
        if (!checking.tryAcquire()) {
            throw new StateConflictException("integrity-check-in-progress", "Integrity check already running",
                    "a check of the audit trail is running on this instance; one runs at a time");
        }
        try {
            if (period.whole()) {
                return StoredChains.verify(seals::forEach, this::eachEventInChainOrder, FIELDS, publicKey);
            }
            return StoredChains.verify(consumer -> seals.forEach(seal -> {
                if (period.to() == null || seal.sealedAt().isBefore(period.to())) {
                    consumer.accept(seal);
                }
            }), period.from(), sealWalk -> walkOf(sealWalk, period.to() == null), FIELDS, publicKey);
        } finally {
            checking.release();
        }
    }

    private StoredChains.Walk walkOf(SealWalk sealWalk, boolean openToNow) {
        Map<String, Seal.SealedHead> before = sealWalk.headsAtFrom();
        Map<String, Seal.SealedHead> sealed = new HashMap<>();
        Map<String, Seal.SealedHead> start = new HashMap<>();
        SortedMap<String, Long> firstPositions = new TreeMap<>();
        sealWalk.heads().forEach((chain, head) -> {
            Seal.SealedHead earlier = before.get(chain);
            if (earlier == null || earlier.position() < head.position()) {
                sealed.put(chain, head);
                firstPositions.put(chain, earlier == null ? 0 : earlier.position());
                if (earlier != null) {
                    start.put(chain, earlier);
                }
            }
        });
        if (openToNow) {
            Instant newest = sealWalk.newestSealedAt();
            Instant since = newest == null ? Instant.EPOCH : newest.minus(UNSEALED_MARGIN);
            events.find(gte(FIELDS.timestampProperty(), DateTimeUtils.formatInstant(since)))
                    .projection(Projections.include(EventChain.CHAIN, EventChain.POSITION)).batchSize(BATCH)
                    .forEach(stored -> {
                        if (!(stored.get(EventChain.CHAIN) instanceof String chain) || firstPositions.containsKey(chain)) {
                            return;
                        }
                        Seal.SealedHead head = sealWalk.heads().get(chain);
                        long position = stored.get(EventChain.POSITION) instanceof Number number ? number.longValue() : -1;
                        if (head == null) {
                            firstPositions.put(chain, 0L);
                        } else if (position > head.position()) {
                            firstPositions.put(chain, head.position());
                            sealed.put(chain, head);
                            start.put(chain, head);
                        }
                    });
        }
        return new StoredChains.Walk(sealed, start, consumer -> firstPositions.forEach((chain, first) -> {
            Bson ofChain = and(eq(EventChain.CHAIN, chain), gte(EventChain.POSITION, first));
            Bson range = openToNow ? ofChain : and(ofChain, lte(EventChain.POSITION, sealed.get(chain).position()));
            events.find(range).sort(Sorts.ascending(EventChain.POSITION)).batchSize(BATCH).forEach(consumer::accept);
        }));
    }

    /** Where a stored event is: its aggregate and sequence, or for a fact of no aggregate its own id and 0. */
    public record StoredEvent(String aggregateId, long sequence) {
    }

    /** A stored event's place on its chain, and the hash it was stored with. */
    public record Link(String chain, long position, String hash) {
    }

    /**
     * The links of stored events, by event id (an event stored without chain fields has none): one read of Axon's
     * (aggregate, sequence) index for the lot, so keep the lot to a batch.
     */
    public Map<String, Link> linksOf(Collection<StoredEvent> stored) {
        if (stored.isEmpty()) {
            return Map.of();
        }
        Map<String, Link> links = new HashMap<>();
        events.find(or(stored.stream().map(event -> and(eq(FIELDS.aggregateIdentifierProperty(), event.aggregateId()),
                        eq(FIELDS.sequenceNumberProperty(), event.sequence()))).toList()))
                .projection(Projections.include(FIELDS.eventIdentifierProperty(), EventChain.CHAIN, EventChain.POSITION,
                        EventChain.HASH))
                .forEach(document -> {
                    if (document.get(EventChain.CHAIN) instanceof String chain
                            && document.get(EventChain.POSITION) instanceof Number position) {
                        links.put(String.valueOf(document.get(FIELDS.eventIdentifierProperty())),
                                new Link(chain, position.longValue(), String.valueOf(document.get(EventChain.HASH))));
                    }
                });
        return links;
    }

    /** Every stored event in chain order, as the export for the offline verifier lists them. */
    public void eachEventInChainOrder(Consumer<? super Document> consumer) {
        events.find().sort(Sorts.ascending(EventChain.CHAIN, EventChain.POSITION)).batchSize(BATCH)
                .forEach(consumer::accept);
    }

    /** The offline verifier's events: each stored event as stored but its {@code _id}, a line of JSON each. */
    public void exportEvents(Writer writer) {
        eachEventInChainOrder(document -> {
            Map<String, Object> stored = new LinkedHashMap<>(document);
            stored.remove("_id");
            try {
                line(writer, JSON.writeValueAsString(stored));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a stored event is plain data", e);
            }
        });
    }

    /** The offline verifier's seals, a line of JSON each, as the seal file and the webhook have them. */
    public void exportSeals(Writer writer) {
        seals.forEach(seal -> line(writer, SealJson.write(seal)));
    }

    private static void line(Writer writer, String json) {
        try {
            writer.write(json);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
