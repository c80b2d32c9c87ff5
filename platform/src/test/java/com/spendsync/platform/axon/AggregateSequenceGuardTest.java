package com.spendsync.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.Test;

class AggregateSequenceGuardTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Long> applied = new ArrayList<>();

    @Test
    void aShortReadIsReadAgainAndCounted() {
        ShortReadingStore store = storeWithEvents(4);
        store.shortReads = 1;
        AggregateSequenceGuard guard = new AggregateSequenceGuard(store, meters);

        guard.apply("view", event(4), 1, message -> applied.add(message.getSequenceNumber()));

        assertThat(applied).containsExactly(1L, 2L, 3L, 4L);
        assertThat(shortReadsCounted()).isEqualTo(1);
    }

    @Test
    void aStreamThatStaysShortFailsTheEventRatherThanMovingPastTheHole() {
        ShortReadingStore store = storeWithEvents(4);
        store.shortReads = Integer.MAX_VALUE;
        AggregateSequenceGuard guard = new AggregateSequenceGuard(store, meters);

        assertThatThrownBy(() -> guard.apply("view", event(4), 1,
                message -> applied.add(message.getSequenceNumber()))).isInstanceOf(IllegalStateException.class);

        assertThat(applied).isEmpty();
        assertThat(shortReadsCounted()).isEqualTo(AggregateSequenceGuard.READS);
    }

    @Test
    void aCatchUpReadsUpToTheLastStoredEventAgainAfterAShortRead() {
        ShortReadingStore store = storeWithEvents(4);
        store.shortReads = 2;
        AggregateSequenceGuard guard = new AggregateSequenceGuard(store, meters);

        int caughtUp = guard.catchUp("view", "key_1", 2, message -> applied.add(message.getSequenceNumber()));

        assertThat(caughtUp).isEqualTo(3);
        assertThat(applied).containsExactly(2L, 3L, 4L);
        assertThat(shortReadsCounted()).isEqualTo(2);
    }

    private double shortReadsCounted() {
        return meters.counter("spendsync.projection.heal.short.reads", "projection", "view").count();
    }

    private ShortReadingStore storeWithEvents(long last) {
        ShortReadingStore store = new ShortReadingStore(EmbeddedEventStore.builder()
                .storageEngine(new InMemoryEventStorageEngine()));
        for (long sequence = 0; sequence <= last; sequence++) {
            store.publish(event(sequence));
        }
        return store;
    }

    private static DomainEventMessage<String> event(long sequence) {
        return new GenericDomainEventMessage<>("ApiKey", "key_1", sequence, "event " + sequence);
    }

    /** An event store whose first reads of an aggregate's stream leave out the event after the first one read. */
    private static final class ShortReadingStore extends EmbeddedEventStore {

        int shortReads;

        ShortReadingStore(EmbeddedEventStore.Builder builder) {
            super(builder);
        }

        @Override
        public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
            List<DomainEventMessage<?>> events = new ArrayList<>();
            super.readEvents(aggregateIdentifier, firstSequenceNumber).forEachRemaining(events::add);
            if (shortReads > 0 && events.size() > 1) {
                shortReads--;
                events.remove(1);
            }
            return DomainEventStream.of(events);
        }
    }
}
