package com.spendsync.platform.axon;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import com.spendsync.api.apikey.ApiKeyEvent;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ReplayStatus;

/**
 * The one cycle of a view kept per key in sequence order: load the key's state and the sequence it has applied, hand
 * the event to the {@link AggregateSequenceGuard} (which heals a gap from the key's own stream and drops a
 * redelivery), fold what it lets through, and save the result once. A view supplies only where it keeps a key's
 * state and how an event changes it; the key events of the stream reach it here, any other event is left to the
 * view's own handlers.
 *
 * @param <S> the view's state of one key
 */
public abstract class SequencedProjector<S> implements SequencedProjection {

    private final String name;
    private final AggregateSequenceGuard guard;

    protected SequencedProjector(String name, AggregateSequenceGuard guard) {
        this.name = name;
        this.guard = guard;
    }

    /** The view's state of the aggregate, or null before its first event. */
    protected abstract S load(String aggregateId);

    /** The sequence number of the last event folded into {@code state}. */
    protected abstract long sequenceOf(S state);

    /**
     * The state after {@code event}; {@code state} is null before the key's first event. {@code replayStatus} says
     * whether the stream is being replayed (events healed from the key's stream share the status of the event that
     * revealed the gap; a catch-up is regular processing).
     */
    protected abstract S fold(S state, DomainEventMessage<?> event, ReplayStatus replayStatus);

    /** Stores {@code folded}, the state after this cycle's events, over {@code loaded}, what the cycle began from. */
    protected abstract void save(String aggregateId, S loaded, S folded);

    /**
     * A key event of the tracking stream. Axon prefers a subclass's handlers: a view with a handler of its own for
     * every event passes the key events on to this one.
     */
    @EventHandler
    protected final void on(ApiKeyEvent payload, EventMessage<?> message, ReplayStatus replayStatus) {
        DomainEventMessage<?> event = AggregateSequenceGuard.ofAggregate(message);
        if (event != null) {
            cycle(event.getAggregateIdentifier(), replayStatus,
                    (next, apply) -> guard.apply(name, event, next, apply));
        }
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Long appliedSequence(String aggregateId) {
        S state = load(aggregateId);
        return state == null ? null : sequenceOf(state);
    }

    @Override
    public final void catchUp(String aggregateId) {
        cycle(aggregateId, ReplayStatus.REGULAR, (next, apply) -> guard.catchUp(name, aggregateId, next, apply));
    }

    private void cycle(String aggregateId, ReplayStatus replayStatus,
                       BiConsumer<Long, Consumer<DomainEventMessage<?>>> run) {
        S loaded = load(aggregateId);
        var folding = new Object() {
            S state = loaded;
            boolean any;
        };
        run.accept(loaded == null ? 0 : sequenceOf(loaded) + 1, event -> {
            folding.state = fold(folding.state, event, replayStatus);
            folding.any = true;
        });
        if (folding.any) {
            save(aggregateId, loaded, folding.state);
        }
    }
}
