package com.spendsync.platform.axon;

/** A projection that applies each aggregate's events in sequence order, and can say how far it has got. */
public interface SequencedProjection {

    String name();

    /** The sequence number of the last event applied for this aggregate, or null if none. */
    Long appliedSequence(String aggregateId);

    /** Applies whatever events of the aggregate the projection has not applied yet. */
    void catchUp(String aggregateId);
}
