package com.spendsync.platform.axon;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.platform.admin.ProjectionRebuilds;
import com.spendsync.platform.config.SpendSyncProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Heals, without anyone asking, the key events that Axon's timestamp-ordered MongoDB stream skipped because they
 * committed later than the look-back after their own timestamp, also when no later event of the key comes to reveal
 * the gap. Every look-back it reads the events inserted since its last pass, in insertion order (the driver's
 * {@code _id}, an ObjectId stamped at insert, served by the {@code _id} index), and for each one committed late
 * brings every projection of this process that has not applied it up to date from the key's stream. An event is
 * looked at once it is a look-back old, when the processors have had their chance, so it is healed within two
 * look-backs of its commit. The cost follows the write rate, never the size of the store.
 */
@Component
public class LateCommitSweeper {

    private static final Logger log = LoggerFactory.getLogger(LateCommitSweeper.class);

    private final MongoCollection<Document> storedEvents;
    private final ObjectProvider<SequencedProjection> projections;
    private final ObjectProvider<ProjectionRebuilds> rebuilds;
    private final Clock clock;
    private final Duration lookBack;
    private final Counter healed;
    private ObjectId checkpoint;

    public LateCommitSweeper(MongoClient client, SpendSyncProperties properties,
                             ObjectProvider<SequencedProjection> projections, ObjectProvider<ProjectionRebuilds> rebuilds,
                             Clock clock, MeterRegistry meters) {
        this.storedEvents = client.getDatabase(properties.auditDatabase()).getCollection("domainevents");
        this.projections = projections;
        this.rebuilds = rebuilds;
        this.clock = clock;
        this.lookBack = properties.eventStore().lookBack();
        this.healed = Counter.builder("spendsync_projection_late_commits_healed_total")
                .description("projections brought up to date with a key event that committed after the look-back")
                .register(meters);
        this.checkpoint = idAt(clock.instant().minus(lookBack.multipliedBy(2)));
    }

    @Scheduled(fixedDelayString = "${spendsync.event-store.look-back}")
    public void sweep() {
        ObjectId until = idAt(clock.instant().minus(lookBack));
        for (Document event : storedEvents.find(Filters.and(Filters.gt("_id", checkpoint), Filters.lte("_id", until)))
                .projection(Projections.include("type", "aggregateIdentifier", "sequenceNumber", "timestamp"))
                .sort(Sorts.ascending("_id"))) {
            if (ApiKeyEvent.AGGREGATE_TYPE.equals(event.getString("type")) && committedLate(event)) {
                heal(event.getString("aggregateIdentifier"), ((Number) event.get("sequenceNumber")).longValue());
            }
            checkpoint = event.getObjectId("_id");
        }
        if (until.compareTo(checkpoint) > 0) {
            checkpoint = until;
        }
    }

    /** Committed more than half a look-back after its timestamp: near enough to the edge to have been skipped. */
    private boolean committedLate(Document event) {
        Instant committed = event.getObjectId("_id").getDate().toInstant();
        Instant stamped = Instant.parse(event.getString("timestamp"));
        return Duration.between(stamped, committed).compareTo(lookBack.dividedBy(2)) > 0;
    }

    private void heal(String keyId, long sequence) {
        List<SequencedProjection> behind = projections.orderedStream()
                .filter(projection -> !rebuilding(projection.name()))
                .filter(projection -> {
                    Long applied = projection.appliedSequence(keyId);
                    return applied == null || applied < sequence;
                }).toList();
        for (SequencedProjection projection : behind) {
            projection.catchUp(keyId);
            healed.increment();
            log.info("Projection {} caught up with key {}: its event {} committed after the look-back",
                    projection.name(), keyId, sequence);
        }
    }

    private boolean rebuilding(String name) {
        ProjectionRebuilds tracker = rebuilds.getIfAvailable();
        return tracker != null && tracker.rebuilding(name);
    }

    /** The smallest ObjectId of that second: a bound for a range of insertion times. */
    private static ObjectId idAt(Instant instant) {
        return new ObjectId(String.format("%08x%016x", instant.getEpochSecond(), 0L));
    }
}
