package com.spendsync.query.keyview;

import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjector;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/** Keeps the key query view by folding each key's events in sequence order with {@link KeyViewFold}. */
@Component
@ProcessingGroup(KeyViewProjector.PROCESSING_GROUP)
class KeyViewProjector extends SequencedProjector<KeyView> {

    static final String PROCESSING_GROUP = "key-query-view";

    private final KeyViews views;

    KeyViewProjector(KeyViews views, AggregateSequenceGuard guard) {
        super(PROCESSING_GROUP, guard);
        this.views = views;
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
        // a lost race means another writer stored this key's view further along; its next event heals any gap
        views.save(folded, loaded == null ? null : loaded.version());
    }

    @ResetHandler
    void reset() {
        views.removeAll();
    }
}
