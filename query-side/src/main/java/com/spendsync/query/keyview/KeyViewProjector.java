package com.spendsync.query.keyview;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.SourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the key query view by folding each key's events in sequence order. An event whose sequence number skips
 * ahead of the view means the stream missed one (MongoDB's event stream can skip a late commit): the missing events
 * are read from the key's own stream in the event store and folded first. An event already folded is ignored.
 */
@Component
@ProcessingGroup(KeyViewProjector.PROCESSING_GROUP)
class KeyViewProjector {

    static final String PROCESSING_GROUP = "key-query-view";
    private static final Logger log = LoggerFactory.getLogger(KeyViewProjector.class);

    private final KeyViews views;
    private final EventStore eventStore;
    private final Counter healedGaps;

    KeyViewProjector(KeyViews views, EventStore eventStore, MeterRegistry meters) {
        this.views = views;
        this.eventStore = eventStore;
        this.healedGaps = Counter.builder("spendsync.projection.gaps.healed").tag("projection", PROCESSING_GROUP)
                .description("Events the tracking stream skipped and the projection read from the aggregate stream")
                .register(meters);
    }

    @EventHandler
    void on(Object event, @SourceId String keyId, @SequenceNumber long sequence) {
        if (!event.getClass().getPackageName().equals("com.spendsync.api.apikey")) {
            return;
        }
        KeyView view = views.find(keyId);
        long next = view == null ? 0 : view.version() + 1;
        if (sequence < next) {
            return;
        }
        if (sequence > next) {
            view = heal(keyId, view, next, sequence);
        }
        views.save(KeyViewFold.apply(view, event, sequence));
    }

    @ResetHandler
    void reset() {
        views.removeAll();
    }

    private KeyView heal(String keyId, KeyView view, long from, long upTo) {
        log.warn("Key {}: events {} to {} were missing from the stream; reading them from the key's history",
                keyId, from, upTo - 1);
        DomainEventStream missing = eventStore.readEvents(keyId, from);
        while (missing.hasNext()) {
            DomainEventMessage<?> message = missing.next();
            if (message.getSequenceNumber() >= upTo) {
                break;
            }
            view = KeyViewFold.apply(view, message.getPayload(), message.getSequenceNumber());
            healedGaps.increment();
        }
        return view;
    }
}
