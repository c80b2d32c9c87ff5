package com.spendsync.query.audit;

import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjection;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Keeps the audit view: one entry for every event in the store, of any type, whether an aggregate's or not. An
 * aggregate's events are recorded in sequence order, gaps healed by {@link AggregateSequenceGuard}; events of no
 * aggregate have no sequence to check. The entries of a batch of events are
 * written together as the batch commits ({@link AuditBatch}).
 */
@Component
@ProcessingGroup(AuditView.PROCESSING_GROUP)
class AuditView implements SequencedProjection {

    static final String PROCESSING_GROUP = "audit-view";

    private final AuditLogs logs;
    private final AuditEntryFactory entries;
    private final AggregateSequenceGuard guard;

    AuditView(AuditLogs logs, AuditEntryFactory entries, AggregateSequenceGuard guard) {
        this.logs = logs;
        this.entries = entries;
        this.guard = guard;
    }

    @EventHandler
    void on(EventMessage<?> event, UnitOfWork<?> unitOfWork) {
        AuditBatch batch = batchOf(unitOfWork.root());
        DomainEventMessage<?> ofAggregate = AggregateSequenceGuard.ofAggregate(event);
        if (ofAggregate == null) {
            batch.add(entries.entryFor(event, null));
            return;
        }
        String aggregateId = ofAggregate.getAggregateIdentifier();
        AuditedAggregate[] known = {known(aggregateId, batch)};
        guard.apply(PROCESSING_GROUP, ofAggregate, AuditedAggregate.nextSequence(known[0]),
                message -> known[0] = record(known[0], message, batch));
    }

    @Override
    public String name() {
        return PROCESSING_GROUP;
    }

    @Override
    public Long appliedSequence(String aggregateId) {
        long next = AuditedAggregate.nextSequence(logs.aggregate(aggregateId));
        return next == 0 ? null : next - 1;
    }

    @Override
    public void catchUp(String aggregateId) {
        AuditBatch batch = new AuditBatch();
        AuditedAggregate[] known = {logs.aggregate(aggregateId)};
        guard.catchUp(PROCESSING_GROUP, aggregateId, AuditedAggregate.nextSequence(known[0]),
                message -> known[0] = record(known[0], message, batch));
        logs.saveAll(batch);
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

    /** What is recorded of the aggregate so far, counting this batch's entries not yet written. */
    private AuditedAggregate known(String aggregateId, AuditBatch batch) {
        AuditedAggregate inBatch = batch.aggregate(aggregateId);
        return inBatch != null ? inBatch : logs.aggregate(aggregateId);
    }

    private AuditedAggregate record(AuditedAggregate known, DomainEventMessage<?> event, AuditBatch batch) {
        AuditedAggregate aggregate = AuditedAggregate.after(known, event);
        batch.add(entries.entryFor(event, aggregate), aggregate);
        return aggregate;
    }
}
