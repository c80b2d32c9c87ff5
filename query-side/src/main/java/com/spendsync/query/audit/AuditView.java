package com.spendsync.query.audit;

import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Keeps the audit view: one entry for every event in the store, of any type, whether a key's or not. A key's events
 * are recorded in sequence order through {@link SequencedProjector}; events of no aggregate have no sequence to
 * check. The entries of a batch of events are written together as the batch commits ({@link AuditBatch}); a
 * catch-up outside the stream writes its own at once.
 */
@Component
@ProcessingGroup(AuditView.PROCESSING_GROUP)
class AuditView extends SequencedProjector<AuditView.Recorded> {

    static final String PROCESSING_GROUP = "audit-view";

    private final AuditLogs logs;
    private final AuditEntryFactory entries;

    AuditView(AuditLogs logs, AuditEntryFactory entries, AggregateSequenceGuard guard) {
        super(PROCESSING_GROUP, guard);
        this.logs = logs;
        this.entries = entries;
    }

    /** What is recorded of a key: the audited aggregate, and the entries this cycle adds. */
    record Recorded(AuditedAggregate aggregate, List<AuditEntry> added) {
    }

    /**
     * Every event: a key's goes through the sequenced cycle (Axon hands it to this class's own handler before the
     * skeleton's), any other is recorded as it comes.
     */
    @EventHandler
    void onAny(EventMessage<?> event, UnitOfWork<?> unitOfWork, ReplayStatus replayStatus) {
        if (event.getPayload() instanceof ApiKeyEvent keyEvent) {
            on(keyEvent, event, replayStatus);
        } else {
            batchOf(unitOfWork.root()).add(entries.entryFor(event, null));
        }
    }

    /** What is recorded of the key so far, counting the entries of this batch not written yet. */
    @Override
    protected Recorded load(String keyId) {
        AuditedAggregate inBatch = CurrentUnitOfWork.isStarted()
                ? batchOf(CurrentUnitOfWork.get().root()).aggregate(keyId) : null;
        AuditedAggregate known = inBatch != null ? inBatch : logs.aggregate(keyId);
        return known == null ? null : new Recorded(known, List.of());
    }

    @Override
    protected long sequenceOf(Recorded recorded) {
        return recorded.aggregate().lastSequence();
    }

    @Override
    protected Recorded fold(Recorded recorded, DomainEventMessage<?> event, ReplayStatus replayStatus) {
        AuditedAggregate aggregate = AuditedAggregate.after(recorded == null ? null : recorded.aggregate(), event);
        List<AuditEntry> added = new ArrayList<>(recorded == null ? List.of() : recorded.added());
        added.add(entries.entryFor(event, aggregate));
        return new Recorded(aggregate, added);
    }

    @Override
    protected void save(String keyId, Recorded loaded, Recorded folded) {
        boolean streaming = CurrentUnitOfWork.isStarted();
        AuditBatch batch = streaming ? batchOf(CurrentUnitOfWork.get().root()) : new AuditBatch();
        folded.added().forEach(entry -> batch.add(entry, folded.aggregate()));
        if (!streaming) {
            logs.saveAll(batch);
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
}
