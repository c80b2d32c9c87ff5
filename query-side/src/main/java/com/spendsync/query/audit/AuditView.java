package com.spendsync.query.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the audit view: one entry for every event in the store, of any type, whether an aggregate's or not. An
 * aggregate's events are recorded in sequence order; an event whose sequence number skips ahead means the stream
 * missed one (MongoDB's event stream can skip a late commit), and the missing ones are read from the aggregate's own
 * stream and recorded first. Events of no aggregate have no sequence to check. The entries of a batch of events are
 * written together as the batch commits ({@link AuditBatch}).
 */
@Component
@ProcessingGroup(AuditView.PROCESSING_GROUP)
class AuditView {

    static final String PROCESSING_GROUP = "audit-view";
    private static final Logger log = LoggerFactory.getLogger(AuditView.class);

    private final AuditLogs logs;
    private final AuditEntryFactory entries;
    private final EventStore eventStore;
    private final Counter healedGaps;

    AuditView(AuditLogs logs, AuditEntryFactory entries, EventStore eventStore, MeterRegistry meters) {
        this.logs = logs;
        this.entries = entries;
        this.eventStore = eventStore;
        this.healedGaps = Counter.builder("spendsync.projection.gaps.healed").tag("projection", PROCESSING_GROUP)
                .description("Events the tracking stream skipped and the projection read from the aggregate stream")
                .register(meters);
    }

    @EventHandler
    void on(EventMessage<?> event, UnitOfWork<?> unitOfWork) {
        AuditBatch batch = batchOf(unitOfWork.root());
        // an event published outside any aggregate comes back from the MongoDB store as a domain event of no
        // aggregate type, under its own id at sequence 0: only a typed aggregate has a sequence of its own
        if (event instanceof DomainEventMessage<?> domainEvent && domainEvent.getType() != null) {
            recordInSequence(domainEvent, batch);
        } else {
            batch.add(entries.entryFor(event, null));
        }
    }

    @ResetHandler
    void reset() {
        logs.removeAll();
    }

    /** The batch of the unit of work, started with its first event and written when it commits. */
    private AuditBatch batchOf(UnitOfWork<?> unitOfWork) {
        return unitOfWork.getOrComputeResource(AuditBatch.class.getName(), name -> {
            AuditBatch batch = new AuditBatch();
            unitOfWork.onPrepareCommit(committing -> logs.saveAll(batch));
            return batch;
        });
    }

    private void recordInSequence(DomainEventMessage<?> event, AuditBatch batch) {
        String aggregateId = event.getAggregateIdentifier();
        AuditedAggregate inBatch = batch.aggregate(aggregateId);
        AuditedAggregate known = inBatch != null ? inBatch : logs.aggregate(aggregateId);
        long next = AuditedAggregate.nextSequence(known);
        if (event.getSequenceNumber() < next) {
            return;
        }
        if (event.getSequenceNumber() > next) {
            known = heal(known, event, next, batch);
        }
        record(known, event, batch);
    }

    private AuditedAggregate record(AuditedAggregate known, DomainEventMessage<?> event, AuditBatch batch) {
        AuditedAggregate aggregate = AuditedAggregate.after(known, event);
        batch.add(entries.entryFor(event, aggregate), aggregate);
        return aggregate;
    }

    private AuditedAggregate heal(AuditedAggregate known, DomainEventMessage<?> event, long from, AuditBatch batch) {
        String aggregateId = event.getAggregateIdentifier();
        log.warn("Aggregate {}: events {} to {} were missing from the stream; reading them from its history",
                aggregateId, from, event.getSequenceNumber() - 1);
        DomainEventStream missing = eventStore.readEvents(aggregateId, from);
        while (missing.hasNext()) {
            DomainEventMessage<?> message = missing.next();
            if (message.getSequenceNumber() >= event.getSequenceNumber()) {
                break;
            }
            known = record(known, message, batch);
            healedGaps.increment();
        }
        return known;
    }
}
