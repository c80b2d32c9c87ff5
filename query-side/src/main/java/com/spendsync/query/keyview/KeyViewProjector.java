package com.spendsync.query.keyview;

import com.spendsync.platform.axon.AggregateSequenceGuard;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.annotation.SourceId;
import org.springframework.stereotype.Component;

/** Keeps the key query view by folding each key's events in sequence order, gaps healed by the guard. */
@Component
@ProcessingGroup(KeyViewProjector.PROCESSING_GROUP)
class KeyViewProjector {

    static final String PROCESSING_GROUP = "key-query-view";

    private final KeyViews views;
    private final AggregateSequenceGuard guard;

    KeyViewProjector(KeyViews views, AggregateSequenceGuard guard) {
        this.views = views;
        this.guard = guard;
    }

    @EventHandler
    void on(Object event, @SourceId String keyId, @SequenceNumber long sequence) {
        if (!KeyViewFold.isKeyEvent(event)) {
            return;
        }
        KeyView stored = views.find(keyId);
        KeyView[] view = {stored};
        guard.apply(PROCESSING_GROUP, keyId, stored == null ? 0 : stored.version() + 1, event, sequence,
                (payload, number) -> view[0] = KeyViewFold.apply(view[0], payload, number));
        if (view[0] != stored) {
            views.save(view[0]);
        }
    }

    @ResetHandler
    void reset() {
        views.removeAll();
    }
}
