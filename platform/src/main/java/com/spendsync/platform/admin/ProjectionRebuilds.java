package com.spendsync.platform.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.stereotype.Component;

/**
 * Which projections of this process are being rebuilt: a view that is must not be trusted for an answer, since it
 * walks each aggregate through its older states.
 */
@Component
public class ProjectionRebuilds {

    private final EventProcessingConfiguration processing;
    /** Rebuilds asked for, until their processor has restarted and finished replaying; true once restarted. */
    private final Map<String, AtomicBoolean> requested = new ConcurrentHashMap<>();

    ProjectionRebuilds(EventProcessingConfiguration processing) {
        this.processing = processing;
    }

    /** Whether the projection is being rebuilt, from the request on until it has read the whole store again. */
    public boolean rebuilding(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class)
                .map(processor -> rebuilding(name, processor)).orElse(false);
    }

    /** A rebuild counts from the request on: stopping and resetting come before Axon reports it as replaying. */
    boolean rebuilding(String name, StreamingEventProcessor processor) {
        // Axon keeps a segment's replay token until an event past the reset point arrives, so "caught up" is what
        // says the rebuild has read the whole store: a quiet segment would otherwise report a replay for ever
        boolean caughtUp = !processor.processingStatus().isEmpty() && processor.processingStatus().values().stream()
                .allMatch(EventTrackerStatus::isCaughtUp);
        AtomicBoolean restarted = requested.get(name);
        if (restarted == null) {
            return processor.isReplaying() && !caughtUp;
        }
        if (restarted.get() && processor.isRunning() && caughtUp) {
            requested.remove(name, restarted);
            return false;
        }
        return true;
    }

    /** Records a rebuild as asked for; the returned flag is to be set once its processor has restarted. */
    AtomicBoolean requested(String name) {
        AtomicBoolean restarted = new AtomicBoolean();
        requested.put(name, restarted);
        return restarted;
    }
}
