package com.spendsync.alerting.rules;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.stereotype.Component;

/**
 * Whether work driven by the clock rather than by events may run on this instance: the alerting processor runs here,
 * is not rebuilding (its state would be partial) and holds at least one segment.
 */
@Component
class AlertingReadiness {

    private final EventProcessingConfiguration processing;

    AlertingReadiness(EventProcessingConfiguration processing) {
        this.processing = processing;
    }

    boolean ready() {
        return processing.eventProcessor(AlertingProjector.PROCESSING_GROUP, StreamingEventProcessor.class)
                .map(processor -> processor.isRunning() && !processor.isReplaying()
                        && !processor.processingStatus().isEmpty())
                .orElse(false);
    }
}
