package com.spendsync.platform.axon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes a projection see each aggregate's events exactly once and in order. Axon's MongoDB event stream tracks by
 * timestamp and skips an event that commits later than its look-back window: the next event of that aggregate then
 * arrives with a sequence number further ahead than the projection expects, and the events in between are read from
 * the aggregate's own stream, which a late commit cannot escape, and applied first. An event the projection has
 * already applied (a redelivery, or one it healed earlier) is ignored.
 */
@Component
public class AggregateSequenceGuard {

    private static final Logger log = LoggerFactory.getLogger(AggregateSequenceGuard.class);

    /** How often a short read of an aggregate's stream is tried before the event fails. */
    static final int READS = 3;

    private final EventStore eventStore;
    private final MeterRegistry meters;

    public AggregateSequenceGuard(EventStore eventStore, MeterRegistry meters) {
        this.eventStore = eventStore;
        this.meters = meters;
    }

    /** The event as an aggregate's, or null for an event of no aggregate (stored under its own id, untyped). */
    public static DomainEventMessage<?> ofAggregate(EventMessage<?> event) {
        return event instanceof DomainEventMessage<?> domain && domain.getType() != null ? domain : null;
    }

    /**
     * Applies one event of the stream.
     *
     * @param nextExpected the sequence number the projection expects next for the event's aggregate (0 if none)
     */
    public void apply(String projectionName, DomainEventMessage<?> event, long nextExpected,
                      Consumer<DomainEventMessage<?>> projection) {
        long sequence = event.getSequenceNumber();
        if (sequence < nextExpected) {
            return;
        }
        if (sequence > nextExpected) {
            log.warn("{}: events {} to {} of {} never came through the stream; reading them from its history",
                    projectionName, nextExpected, sequence - 1, event.getAggregateIdentifier());
            applyStored(projectionName, event.getAggregateIdentifier(), nextExpected, sequence, projection);
        }
        projection.accept(event);
    }

    /** Applies every stored event of the aggregate from {@code nextExpected} on: how a reconciliation repairs. */
    public int catchUp(String projectionName, String aggregateId, long nextExpected,
                       Consumer<DomainEventMessage<?>> projection) {
        return applyStored(projectionName, aggregateId, nextExpected, Long.MAX_VALUE, projection);
    }

    /**
     * Applies the aggregate's stored events from {@code from} up to {@code before}, but only once it has read all of
     * them: a read that comes back short or with a hole (a replica behind, a cursor cut off) is read again, and
     * after {@link #READS} short reads the event fails, so the processor retries it instead of moving past a hole.
     */
    private int applyStored(String projectionName, String aggregateId, long from, long before,
                            Consumer<DomainEventMessage<?>> projection) {
        Counter shortReads = Counter.builder("spendsync.projection.heal.short.reads").tag("projection", projectionName)
                .description("Reads of an aggregate's stream, while healing a gap, that missed some of its events")
                .register(meters);
        for (int read = 1; ; read++) {
            // a catch-up reads up to the last event stored now: one committed meanwhile comes through the stream
            long end = before == Long.MAX_VALUE ? eventStore.lastSequenceNumberFor(aggregateId).orElse(-1L) + 1
                    : before;
            List<DomainEventMessage<?>> range = read(aggregateId, from, end);
            if (range.size() == Math.max(0, end - from)) {
                Counter healed = Counter.builder("spendsync.projection.gaps.healed").tag("projection", projectionName)
                        .description("Events the tracking stream skipped, read from the aggregate's own stream instead")
                        .register(meters);
                range.forEach(projection);
                healed.increment(range.size());
                return range.size();
            }
            shortReads.increment();
            log.warn("{}: read {} of events {} to {} of {} (read {} of {})", projectionName, range.size(), from,
                    end - 1, aggregateId, read, READS);
            if (read == READS) {
                throw new IllegalStateException(projectionName + ": the stream of " + aggregateId
                        + " came back short " + READS + " times while healing from " + from);
            }
        }
    }

    /** The stored events from {@code from} up to {@code before}, as long as they follow each other without a hole. */
    private List<DomainEventMessage<?>> read(String aggregateId, long from, long before) {
        List<DomainEventMessage<?>> range = new ArrayList<>();
        DomainEventStream stored = eventStore.readEvents(aggregateId, from);
        while (stored.hasNext()) {
            DomainEventMessage<?> message = stored.next();
            if (message.getSequenceNumber() >= before || message.getSequenceNumber() != from + range.size()) {
                break;
            }
            range.add(message);
        }
        return range;
    }
}
