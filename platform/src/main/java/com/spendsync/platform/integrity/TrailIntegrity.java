package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lt;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** How long before a period's start it looks for events no seal covers: an event is stored after its timestamp. */
    static final Duration UNSEALED_MARGIN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final MongoCollection<Document> events;
    private final SealStore seals;
    private final PublicKey publicKey;
    private final Semaphore checking;

    /**
     * A sealed period: every seal is checked, and each chain is read from its head sealed before {@code from} (whose
     * event must still be the one sealed) to its newest head sealed before {@code to}, a seal counting by its own
     * instant; chains with events stored in the period that no seal covers are read past their newest seal, as
     * unsealed (they are found through the timestamp index, from five minutes before {@code from}). Null ends are
     * open; both null is the whole trail.
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

    /** The whole trail, or a sealed period of it; refused while another check runs on this instance. */
    public StoredChains.Report verify(Period period) {
        if (!checking.tryAcquire()) {
            throw new StateConflictException("integrity-check-in-progress", "Integrity check already running",
                    "a check of the audit trail is running on this instance; one runs at a time");
        }
        try {
            if (period.whole()) {
                return StoredChains.verify(seals::forEach, this::eachEventInChainOrder, FIELDS, publicKey);
            }
            return StoredChains.verify(seals::forEach, period.from(), period.to(),
                    sealWalk -> walkOf(sealWalk, period), FIELDS, publicKey);
        } finally {
            checking.release();
        }
    }

    /** One chain's part of a period: from which sealed head (or its first event), to which, and whether past it. */
    private static final class Stretch {
        Seal.SealedHead start;
        Seal.SealedHead sealed;
        boolean open;
    }

    /**
     * The stretches of a period: every chain whose sealed head moved between its ends, and every chain with events
     * stored in it that no seal covers yet (found through the timestamp index), walked as unsealed past its newest
     * seal; and the events stored in it without chain fields.
     */
    private StoredChains.Walk walkOf(SealWalk sealWalk, Period period) {
        Map<String, Seal.SealedHead> atFrom = sealWalk.headsAtFrom();
        SortedMap<String, Stretch> stretches = new TreeMap<>();
        sealWalk.headsAtTo().forEach((chain, head) -> {
            Seal.SealedHead earlier = atFrom.get(chain);
            if (earlier == null || earlier.position() < head.position()) {
                Stretch stretch = new Stretch();
                stretch.start = earlier;
                stretch.sealed = head;
                stretch.open = period.to() == null;
                stretches.put(chain, stretch);
            }
        });
        List<Document> unchained = new ArrayList<>();
        List<Bson> stored = new ArrayList<>();
        if (period.from() != null) {
            stored.add(gte(FIELDS.timestampProperty(), DateTimeUtils.formatInstant(period.from().minus(UNSEALED_MARGIN))));
        }
        if (period.to() != null) {
            stored.add(lt(FIELDS.timestampProperty(), DateTimeUtils.formatInstant(period.to())));
        }
        events.find(and(stored)).projection(Projections.include(EventChain.CHAIN, EventChain.POSITION,
                        FIELDS.eventIdentifierProperty(), FIELDS.timestampProperty())).batchSize(BATCH)
                .forEach(event -> {
                    if (!(event.get(EventChain.CHAIN) instanceof String chain)) {
                        unchained.add(event);
                        return;
                    }
                    Seal.SealedHead newest = sealWalk.heads().get(chain);
                    long position = event.get(EventChain.POSITION) instanceof Number number ? number.longValue() : -1;
                    if (newest != null && position <= newest.position()) {
                        return;
                    }
                    Stretch stretch = stretches.computeIfAbsent(chain, moved -> {
                        Stretch unsealed = new Stretch();
                        unsealed.start = sealWalk.headsAtTo().get(chain);
                        return unsealed;
                    });
                    stretch.sealed = newest;
                    stretch.open = true;
                });
        Map<String, Seal.SealedHead> sealed = new HashMap<>();
        Map<String, Seal.SealedHead> start = new HashMap<>();
        stretches.forEach((chain, stretch) -> {
            if (stretch.sealed != null) {
                sealed.put(chain, stretch.sealed);
            }
            if (stretch.start != null) {
                start.put(chain, stretch.start);
            }
        });
        return new StoredChains.Walk(sealed, start, consumer -> {
            unchained.forEach(consumer);
            stretches.forEach((chain, stretch) -> {
                Bson range = and(eq(EventChain.CHAIN, chain),
                        gte(EventChain.POSITION, stretch.start == null ? 0 : stretch.start.position()));
                if (!stretch.open) {
                    range = and(range, lte(EventChain.POSITION, stretch.sealed.position()));
                }
                events.find(range).sort(Sorts.ascending(EventChain.POSITION)).batchSize(BATCH)
                        .forEach(consumer::accept);
            });
        });
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
                            && document.get(EventChain.POSITION) instanceof Number position
                            && document.get(EventChain.HASH) instanceof String hash) {
                        links.put(String.valueOf(document.get(FIELDS.eventIdentifierProperty())),
                                new Link(chain, position.longValue(), hash));
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
