package com.spendsync.query.keyview;

import com.spendsync.platform.axon.AggregateSequenceGuard;
import com.spendsync.platform.axon.SequencedProjection;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/** Keeps the key query view by folding each key's events in sequence order, gaps healed by the guard. */
@Component
@ProcessingGroup(KeyViewProjector.PROCESSING_GROUP)
class KeyViewProjector implements SequencedProjection {

    static final String PROCESSING_GROUP = "key-query-view";

    private final KeyViews views;
    private final AggregateSequenceGuard guard;

    KeyViewProjector(KeyViews views, AggregateSequenceGuard guard) {
        this.views = views;
        this.guard = guard;
    }

    @EventHandler
    void on(EventMessage<?> message) {
        DomainEventMessage<?> event = AggregateSequenceGuard.ofAggregate(message);
        if (event != null && KeyViewFold.isKeyEvent(event.getPayload())) {
            update(event.getAggregateIdentifier(), (next, fold) -> guard.apply(PROCESSING_GROUP, event, next, fold));
        }
    }

    @Override
    public String name() {
        return PROCESSING_GROUP;
    }

    @Override
    public Long appliedSequence(String keyId) {
        KeyView view = views.find(keyId);
        return view == null ? null : view.version();
    }

    @Override
    public void catchUp(String keyId) {
        update(keyId, (next, fold) -> guard.catchUp(PROCESSING_GROUP, keyId, next, fold));
    }

    /** Folds into the stored view whatever {@code run} applies, and stores the result once. */
    private void update(String keyId, BiConsumer<Long, Consumer<DomainEventMessage<?>>> run) {
        KeyView stored = views.find(keyId);
        KeyView[] view = {stored};
        run.accept(stored == null ? 0 : stored.version() + 1,
                event -> view[0] = KeyViewFold.apply(view[0], event.getPayload(), event.getSequenceNumber()));
        if (view[0] != stored) {
            // a lost race means another writer stored this key's view further along; its next event heals any gap
            views.save(view[0], stored == null ? null : stored.version());
        }
    }

    @ResetHandler
    void reset() {
        views.removeAll();
    }
}
