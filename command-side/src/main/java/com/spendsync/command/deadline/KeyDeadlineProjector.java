package com.spendsync.command.deadline;

import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.command.deadline.KeyDeadlines.Deadline;
import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/** Keeps, per key, the next instants at which it expires or its previous secret's grace ends. */
@Component
@ProcessingGroup(KeyDeadlineProjector.PROCESSING_GROUP)
class KeyDeadlineProjector extends SequencedProjector<Deadline> {

    static final String PROCESSING_GROUP = "key-deadlines";

    private final KeyDeadlines deadlines;

    KeyDeadlineProjector(KeyDeadlines deadlines, AggregateSequenceGuard guard) {
        super(PROCESSING_GROUP, guard);
        this.deadlines = deadlines;
    }

    @Override
    protected Deadline load(String keyId) {
        return deadlines.find(keyId);
    }

    @Override
    protected long sequenceOf(Deadline deadline) {
        return deadline.sequence();
    }

    @Override
    protected Deadline fold(Deadline deadline, DomainEventMessage<?> event, ReplayStatus replayStatus) {
        return KeyDeadlineFold.apply(deadline, (ApiKeyEvent) event.getPayload(), event.getSequenceNumber());
    }

    @Override
    protected void save(String keyId, Deadline loaded, Deadline folded) {
        deadlines.save(folded, loaded == null ? null : loaded.sequence());
    }

    @ResetHandler
    void reset() {
        deadlines.removeAll();
    }
}
