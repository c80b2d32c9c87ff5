package com.spendsync.query.keyview;

import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

/**
 * Keeps the key query view by folding each key's events in sequence order with {@link KeyViewFold}, and a copy of a
 * key's view every so many events for its state at an instant.
 */
@Component
@ProcessingGroup(KeyViewProjector.PROCESSING_GROUP)
class KeyViewProjector extends SequencedProjector<KeyView> {

    static final String PROCESSING_GROUP = "key-query-view";

    private final KeyViews views;
    private final KeyViewCheckpoints checkpoints;
    private final EventStore eventStore;

    KeyViewProjector(KeyViews views, KeyViewCheckpoints checkpoints, EventStore eventStore,
                     AggregateSequenceGuard guard) {
        super(PROCESSING_GROUP, guard);
        this.views = views;
        this.checkpoints = checkpoints;
        this.eventStore = eventStore;
    }

    @Override
    protected KeyView load(String keyId) {
        return views.find(keyId);
    }

    @Override
    protected long sequenceOf(KeyView view) {
        return view.version();
    }

    @Override
    protected KeyView fold(KeyView view, DomainEventMessage<?> event, ReplayStatus replayStatus) {
        return KeyViewFold.apply(view, event);
    }

    @Override
    protected void save(String keyId, KeyView loaded, KeyView folded) {
        KeyView stored = folded;
        if (checkpoints.due(loaded, folded)) {
            stored = folded.foldedUntil() != null
                    ? folded : folded.withFoldedUntil(latestTimestamp(keyId, folded.version()));
            checkpoints.keep(stored);
        }
        // a lost race means another writer stored this key's view further along; its next event heals any gap
        views.save(stored, loaded == null ? null : loaded.version());
    }

    /** For a view stored before it kept the latest timestamp of its events: read once from the key's stream. */
    private Instant latestTimestamp(String keyId, long upToVersion) {
        Instant latest = null;
        DomainEventStream stream = eventStore.readEvents(keyId, 0);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getSequenceNumber() > upToVersion) {
                break;
            }
            latest = KeyViewFold.foldedUntil(latest, event);
        }
        return latest;
    }

    @ResetHandler
    void reset() {
        views.removeAll();
        checkpoints.removeAll();
    }
}
