package com.spendsync.platform.admin;

import com.spendsync.api.admin.ProjectionReplayRequestedEvent;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.axon.ProcessorInstances;
import com.spendsync.platform.problem.ResourceNotFoundException;
import com.spendsync.platform.problem.StateConflictException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rebuilds a projection of this process from the event store, and shows each projection's progress. The rebuild
 * runs in the background: the processor stops, its tokens go back to the start of the stream, and it starts again,
 * its projector's reset handler having emptied the view. One rebuild at a time: while the Redis view is rebuilt,
 * verification answers from the MongoDB key view, which must be whole meanwhile.
 */
@RestController
class ProjectionAdminController {

    private static final Logger log = LoggerFactory.getLogger(ProjectionAdminController.class);

    private final EventProcessingConfiguration processing;
    private final EventGateway events;
    private final Clock clock;
    private final ProjectionRebuilds rebuilds;
    private final ProcessorInstances instances;

    ProjectionAdminController(EventProcessingConfiguration processing, EventGateway events, Clock clock,
                              ProjectionRebuilds rebuilds, ProcessorInstances instances) {
        this.processing = processing;
        this.events = events;
        this.clock = clock;
        this.rebuilds = rebuilds;
        this.instances = instances;
    }

    record SegmentStatus(int segment, boolean caughtUp, boolean replaying, Long position, Long replayUntil,
                         Double replayProgress) {
    }

    /**
     * @param segments the segments this instance processes
     * @param instances every live instance running the projection and the segments it holds, as of its heartbeat
     */
    record ProjectionStatus(String name, String status, boolean replaying, List<SegmentStatus> segments,
                            List<ProcessorInstances.Claims> instances) {
    }

    @GetMapping("/v1/admin/projections")
    @RequiresPermission("admin:replay")
    List<ProjectionStatus> projections() {
        Map<String, StreamingEventProcessor> processors = new TreeMap<>();
        processing.eventProcessors().forEach((name, processor) -> {
            if (processor instanceof StreamingEventProcessor streaming) {
                processors.put(name, streaming);
            }
        });
        return processors.entrySet().stream().map(entry -> statusOf(entry.getKey(), entry.getValue())).toList();
    }

    @PostMapping("/v1/admin/projections/{name}/replay")
    @RequiresPermission("admin:replay")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ProjectionStatus replay(@PathVariable String name, Caller caller) {
        StreamingEventProcessor processor = processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> new ResourceNotFoundException("this process runs no projection named " + name));
        // verification falls back to the key view while the Redis view is rebuilt, so two rebuilds must not overlap
        projections().stream().filter(ProjectionStatus::replaying).findFirst().ifPresent(busy -> {
            throw new StateConflictException("replay-in-progress", "Rebuild already running",
                    "projection " + busy.name() + " is still being rebuilt; rebuild one projection at a time");
        });
        // a reset takes every segment's token, which another instance running the projection would hold or claim
        List<String> others = instances.of(name).stream().map(ProcessorInstances.Claims::node)
                .filter(node -> !node.equals(instances.node())).toList();
        if (!others.isEmpty()) {
            throw new StateConflictException("projection-shared", "Projection runs on other instances",
                    "projection " + name + " also runs on " + String.join(", ", others)
                            + "; stop those instances, or rebuild from one of them once it runs alone");
        }
        events.publish(GenericEventMessage.asEventMessage(new ProjectionReplayRequestedEvent(name, clock.instant()))
                .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, caller.keyId(),
                        AxonMongoConfiguration.SOURCE, caller.source())));
        AtomicBoolean restarted = rebuilds.requested(name);
        processor.shutdownAsync().thenRun(() -> {
            processor.resetTokens();
            processor.start();
            log.info("Projection {} is being rebuilt from the start of the event store", name);
        }).exceptionally(failure -> {
            log.error("Projection {} could not be reset; it is started again as it was", name, failure);
            processor.start();
            return null;
        }).thenRun(() -> restarted.set(true));
        return new ProjectionStatus(name, "replay requested", true, List.of(), instances.of(name));
    }

    private ProjectionStatus statusOf(String name, StreamingEventProcessor processor) {
        List<SegmentStatus> segments = processor.processingStatus().values().stream()
                .map(ProjectionAdminController::segmentOf).toList();
        String status = processor.isError() ? "error" : processor.isRunning() ? "running" : "stopped";
        return new ProjectionStatus(name, status, rebuilds.rebuilding(name, processor), segments,
                instances.of(name));
    }

    private static SegmentStatus segmentOf(EventTrackerStatus tracker) {
        Long position = value(tracker.getCurrentPosition());
        Long until = value(tracker.getResetPosition());
        Double progress = tracker.isReplaying() && position != null && until != null && until > 0
                ? Math.min(1.0, (double) position / until) : null;
        return new SegmentStatus(tracker.getSegment().getSegmentId(), tracker.isCaughtUp(), tracker.isReplaying(),
                position, until, progress);
    }

    private static Long value(OptionalLong optional) {
        return optional.isPresent() ? optional.getAsLong() : null;
    }
}
