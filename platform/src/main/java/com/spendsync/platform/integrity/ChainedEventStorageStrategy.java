package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Projections.include;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.spendsync.platform.axon.AggregateSequenceGuard;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.DocumentPerEventStorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.serialization.Serializer;
import org.bson.Document;

/**
 * axon-mongo's document-per-event storage with every appended event linked into a chain ({@link EventChain}). A
 * key's events form the chain named by the key's id, in the order of their sequence numbers, so instances appending
 * to different keys share nothing and Axon's unique (aggregate, sequence) index already decides between two appends
 * to the same key. The facts a service publishes outside any aggregate (audit reads, alerts, refusals, usage) form
 * the chain of this process, named once per start ({@code service:<uuid>}), so no two processes ever append to one.
 * The hashes are computed from the documents exactly as they are inserted.
 */
public class ChainedEventStorageStrategy extends DocumentPerEventStorageStrategy {

    public static final String CHAIN_INDEX = "eventChainIndex";

    private final EventEntryConfiguration fields;
    private final String serviceChain = EventChain.SERVICE_CHAIN_PREFIX + UUID.randomUUID();
    // the last hash of each key's chain this process appended or read, checked against the sequence before use
    private final Cache<String, Head> keyHeads = Caffeine.newBuilder().maximumSize(10_000).build();
    private final ReentrantLock serviceAppends = new ReentrantLock();
    private Head serviceHead = new Head(-1, EventChain.GENESIS);

    private final MovedChains moved;

    public ChainedEventStorageStrategy(EventEntryConfiguration fields, Duration lookBackTime, MovedChains moved) {
        super(fields, lookBackTime);
        this.fields = fields;
        this.moved = moved;
    }

    @Override
    public void ensureIndexes(MongoCollection<Document> eventsCollection, MongoCollection<Document> snapshotsCollection) {
        super.ensureIndexes(eventsCollection, snapshotsCollection);
        // walks every chain in order when verifying; events stored before chaining have neither field
        eventsCollection.createIndex(Indexes.ascending(EventChain.CHAIN, EventChain.POSITION),
                new IndexOptions().name(CHAIN_INDEX));
    }

    @Override
    public void appendEvents(MongoCollection<Document> eventCollection, List<? extends EventMessage<?>> events,
                             Serializer serializer) {
        List<Document> documents = createEventDocuments(events, serializer).toList();
        boolean services = events.stream().anyMatch(event -> AggregateSequenceGuard.ofAggregate(event) == null);
        if (services) {
            serviceAppends.lock();
        }
        try {
            Map<String, Head> appended = link(eventCollection, events, documents);
            try {
                eventCollection.insertMany(documents);
            } catch (RuntimeException e) {
                if (services) {
                    // an ordered insert keeps what came before the failing document: start again from what is stored
                    serviceHead = storedHead(eventCollection, serviceChain);
                }
                throw e;
            }
            appended.forEach((chain, head) -> {
                moved.moved(chain, head.position(), head.hash());
                if (chain.equals(serviceChain)) {
                    serviceHead = head;
                } else {
                    keyHeads.put(chain, head);
                }
            });
        } finally {
            if (services) {
                serviceAppends.unlock();
            }
        }
    }

    private Map<String, Head> link(MongoCollection<Document> eventCollection, List<? extends EventMessage<?>> events,
                                   List<Document> documents) {
        Map<String, Head> heads = new HashMap<>();
        for (int i = 0; i < documents.size(); i++) {
            Document document = documents.get(i);
            DomainEventMessage<?> aggregateEvent = AggregateSequenceGuard.ofAggregate(events.get(i));
            String chain;
            long position;
            Head previous;
            if (aggregateEvent == null) {
                chain = serviceChain;
                previous = heads.getOrDefault(chain, serviceHead);
                position = previous.position() + 1;
            } else {
                chain = aggregateEvent.getAggregateIdentifier();
                position = aggregateEvent.getSequenceNumber();
                previous = heads.get(chain);
                if (previous == null || previous.position() != position - 1) {
                    previous = predecessor(eventCollection, chain, position);
                }
            }
            String hash = EventChain.hash(document, fields, chain, position, previous.hash());
            document.append(EventChain.CHAIN, chain).append(EventChain.POSITION, position)
                    .append(EventChain.PREVIOUS, previous.hash()).append(EventChain.HASH, hash);
            heads.put(chain, new Head(position, hash));
        }
        return heads;
    }

    /** The hash this key's event at position - 1 carries: cached, or read by Axon's (aggregate, sequence) index. */
    private Head predecessor(MongoCollection<Document> eventCollection, String key, long position) {
        if (position == 0) {
            return new Head(-1, EventChain.GENESIS);
        }
        Head cached = keyHeads.getIfPresent(key);
        if (cached != null && cached.position() == position - 1) {
            return cached;
        }
        Document stored = eventCollection.find(and(eq(fields.aggregateIdentifierProperty(), key),
                        eq(fields.sequenceNumberProperty(), position - 1)))
                .projection(include(EventChain.HASH)).first();
        // a predecessor stored before chaining began (or none): the chain starts here, from the genesis hash
        String hash = stored == null ? null : stored.getString(EventChain.HASH);
        return new Head(position - 1, hash == null ? EventChain.GENESIS : hash);
    }

    private static Head storedHead(MongoCollection<Document> eventCollection, String chain) {
        Document last = eventCollection.find(eq(EventChain.CHAIN, chain))
                .sort(Sorts.descending(EventChain.CHAIN, EventChain.POSITION))
                .projection(include(EventChain.POSITION, EventChain.HASH)).first();
        return last == null ? new Head(-1, EventChain.GENESIS)
                : new Head(last.get(EventChain.POSITION, Number.class).longValue(), last.getString(EventChain.HASH));
    }

    private record Head(long position, String hash) {
    }
}
