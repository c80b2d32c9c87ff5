package com.spendsync.platform.axon;

import com.spendsync.platform.concurrent.BackgroundSchedule;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.spring.config.SpringAxonConfiguration;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The instances running each streaming processor, known from the heartbeats they write beside the token store, and
 * from them each instance's fair share of a processor's segments. Axon's pooled processors keep to it through their
 * {@code MaxSegmentProvider}, claiming no more and releasing the surplus; a tracking processor has no such limit, so
 * the heartbeat releases its surplus ({@code releaseSegment}) for the others to claim. Without this, the first
 * instance to start claims every segment and the others stand idle. Only processors that are running count: one
 * stopped or in error on another instance leaves its share to the others. An instance that stops writing is counted
 * out after {@link #LIVENESS}, before its claims time out.
 */
@Component
public class ProcessorInstances implements SmartLifecycle {

    static final String COLLECTION = "processor_instances";
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /**
     * How long an instance counts as running after its last heartbeat: three beats, shorter than the token claim
     * timeout, so a crashed instance is counted out before its claims lapse and the survivor keeps what it claims.
     */
    static final Duration LIVENESS = HEARTBEAT.multipliedBy(3);
    /** A heartbeat older than this is an instance that crashed long ago: removed, as a TTL index would. */
    static final Duration FORGOTTEN_AFTER = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(ProcessorInstances.class);

    /** One instance's claims on one processor, as of its last heartbeat. */
    public record Claims(String node, List<Integer> segments, Instant seenAt) {
    }

    private final MongoCollection<Document> heartbeats;
    private final TokenStore tokenStore;
    private final ObjectProvider<EventProcessingConfiguration> processing;
    private final Clock clock;
    private final String node;
    private final Map<String, Integer> shares = new ConcurrentHashMap<>();
    private volatile Map<String, List<Claims>> live = Map.of();
    private volatile boolean failing;
    private ScheduledExecutorService schedule;

    public ProcessorInstances(MongoClient client, SpendSyncProperties properties, TokenStore tokenStore,
                              ObjectProvider<EventProcessingConfiguration> processing, Clock clock) {
        this.heartbeats = client.getDatabase(properties.auditDatabase()).getCollection(COLLECTION);
        this.tokenStore = tokenStore;
        this.processing = processing;
        this.clock = clock;
        this.node = AxonMongoConfiguration.nodeId(properties);
    }

    /**
     * The most segments of {@code processor} this instance should hold: its segments divided among the live
     * instances running it, the remainder to the first of them ({@link #shareOf}); Axon's own unbounded default until
     * the first heartbeat has been read.
     */
    public int fairShare(String processor) {
        return shares.getOrDefault(processor, (int) Short.MAX_VALUE);
    }

    /**
     * The segments {@code node} should hold of a processor that {@code nodes} run: an equal part, and one more for
     * the first of them in the order of their ids while the remainder lasts, so the shares add up to the segments
     * (3 instances, 4 segments: 2, 1, 1). Every instance works it out alike from the same heartbeats; a node not
     * among them (its first heartbeat not read yet) counts as the last.
     */
    static int shareOf(int segments, List<String> nodes, String node) {
        List<String> ordered = new ArrayList<>(new TreeSet<>(nodes));
        if (!ordered.contains(node)) {
            ordered.add(node);
        }
        int rank = ordered.indexOf(node);
        return segments / ordered.size() + (rank < segments % ordered.size() ? 1 : 0);
    }

    /** The live instances running {@code processor} (this one among them) and the segments each holds. */
    public List<Claims> of(String processor) {
        return live.getOrDefault(processor, List.of());
    }

    public String node() {
        return node;
    }

    /** Writes this instance's heartbeat, then reads everyone's and works out the shares. */
    void heartbeat() {
        Instant now = clock.instant();
        Map<String, List<Integer>> claimedHere = claimedHere();
        List<Document> processors = new ArrayList<>();
        claimedHere.forEach((name, segments) ->
                processors.add(new Document("name", name).append("segments", segments)));
        heartbeats.replaceOne(Filters.eq("_id", node),
                new Document("_id", node).append("seenAt", Date.from(now)).append("processors", processors),
                new ReplaceOptions().upsert(true));

        Map<String, List<Claims>> running = new TreeMap<>();
        for (Document instance : heartbeats.find(Filters.gte("seenAt", Date.from(now.minus(LIVENESS))))) {
            Instant seenAt = instance.getDate("seenAt").toInstant();
            for (Document processor : instance.getList("processors", Document.class, List.of())) {
                running.computeIfAbsent(processor.getString("name"), name -> new ArrayList<>()).add(new Claims(
                        instance.getString("_id"), processor.getList("segments", Integer.class), seenAt));
            }
        }
        for (String name : claimedHere.keySet()) {
            int segments = tokenStore.fetchSegments(name).length;
            List<String> nodes = running.getOrDefault(name, List.of()).stream().map(Claims::node).toList();
            shares.put(name, segments == 0 ? Short.MAX_VALUE : shareOf(segments, nodes, node));
        }
        live = running;
        releaseTrackingSurplus(claimedHere);
        heartbeats.deleteMany(Filters.lt("seenAt", Date.from(now.minus(FORGOTTEN_AFTER))));
    }

    /** The highest segments a tracking processor holds beyond its share, released for another instance to claim. */
    private void releaseTrackingSurplus(Map<String, List<Integer>> claimedHere) {
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        if (configuration == null) {
            return;
        }
        configuration.eventProcessors().forEach((name, processor) -> {
            List<Integer> held = claimedHere.getOrDefault(name, List.of());
            int surplus = held.size() - fairShare(name);
            if (processor instanceof TrackingEventProcessor tracking && surplus > 0) {
                log.info("Processor {} holds {} segments, {} above its share: releasing them", name, held.size(),
                        surplus);
                held.subList(held.size() - surplus, held.size()).forEach(tracking::releaseSegment);
            }
        });
    }

    private Map<String, List<Integer>> claimedHere() {
        Map<String, List<Integer>> claimed = new TreeMap<>();
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        if (configuration != null) {
            configuration.eventProcessors().forEach((name, processor) -> {
                if (processor instanceof StreamingEventProcessor streaming && streaming.isRunning()
                        && !streaming.isError()) {
                    claimed.put(name, streaming.processingStatus().keySet().stream().sorted().toList());
                }
            });
        }
        return claimed;
    }

    private void heartbeatQuietly() {
        try {
            heartbeat();
            if (failing) {
                log.info("Processor heartbeats written again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("Processor heartbeat failed, the segment shares stay as they were: {}", e.toString());
                failing = true;
            }
        }
    }

    @Override
    public synchronized void start() {
        heartbeats.createIndex(Indexes.ascending("seenAt"), new IndexOptions().name("seenAt"));
        heartbeatQuietly();
        schedule = BackgroundSchedule.named("processor-heartbeat");
        schedule.scheduleWithFixedDelay(this::heartbeatQuietly, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Leaves at once, so that the others take up this instance's share as soon as its processors let go. */
    @Override
    public void stop() {
        ScheduledExecutorService running;
        synchronized (this) {
            running = schedule;
            schedule = null;
        }
        if (running == null) {
            return;
        }
        running.shutdownNow();
        boolean ended;
        try {
            ended = running.awaitTermination(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        // a heartbeat still under way could land after the removal and stand for a live instance: it lapses instead
        if (!ended) {
            return;
        }
        try {
            heartbeats.deleteOne(Filters.eq("_id", node));
        } catch (RuntimeException e) {
            log.warn("Could not remove this instance's processor heartbeat; it lapses in {}: {}", LIVENESS,
                    e.toString());
        }
    }

    /**
     * Starts before Axon's processors and stops after them: the first heartbeat is read before anything is claimed,
     * and the last one goes once this instance's processors have let go of their claims.
     */
    @Override
    public int getPhase() {
        return SpringAxonConfiguration.LIFECYCLE_PHASE - 1;
    }

    @Override
    public synchronized boolean isRunning() {
        return schedule != null;
    }
}
