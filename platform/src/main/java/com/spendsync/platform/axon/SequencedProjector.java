package com.spendsync.platform.axon;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.axonframework.eventhandling.DomainEventMessage;

/**
 * The one cycle of a view kept per aggregate in sequence order: load the aggregate's state and the sequence it has
 * applied, hand the event to the {@link AggregateSequenceGuard} (which heals a gap from the aggregate's own stream
 * and drops a redelivery), fold what it lets through, and save the result once. A view supplies only where it keeps
 * an aggregate's state and how an event changes it.
 *
 * @param <S> the view's state of one aggregate
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

    /** The state after {@code event}; {@code state} is null before the aggregate's first event. */
    protected abstract S fold(S state, DomainEventMessage<?> event);

    /** Stores {@code folded}, the state after this cycle's events, over {@code loaded}, what the cycle began from. */
    protected abstract void save(String aggregateId, S loaded, S folded);

    /** One event of the tracking stream. */
    protected final void project(DomainEventMessage<?> event) {
        cycle(event.getAggregateIdentifier(), (next, apply) -> guard.apply(name, event, next, apply));
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
        cycle(aggregateId, (next, apply) -> guard.catchUp(name, aggregateId, next, apply));
    }

    private void cycle(String aggregateId, BiConsumer<Long, Consumer<DomainEventMessage<?>>> run) {
        S loaded = load(aggregateId);
        var folding = new Object() {
            S state = loaded;
            boolean any;
        };
        run.accept(loaded == null ? 0 : sequenceOf(loaded) + 1, event -> {
            folding.state = fold(folding.state, event);
            folding.any = true;
        });
        if (folding.any) {
            save(aggregateId, loaded, folding.state);
        }
    }
}
