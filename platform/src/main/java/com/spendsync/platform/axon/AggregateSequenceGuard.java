package com.spendsync.platform.axon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

    private int applyStored(String projectionName, String aggregateId, long from, long before,
                            Consumer<DomainEventMessage<?>> projection) {
        Counter healed = Counter.builder("spendsync.projection.gaps.healed").tag("projection", projectionName)
                .description("Events the tracking stream skipped, read from the aggregate's own stream instead")
                .register(meters);
        int applied = 0;
        DomainEventStream stored = eventStore.readEvents(aggregateId, from);
        while (stored.hasNext()) {
            DomainEventMessage<?> message = stored.next();
            if (message.getSequenceNumber() >= before) {
                break;
            }
            projection.accept(message);
            healed.increment();
            applied++;
        }
        return applied;
    }
}
