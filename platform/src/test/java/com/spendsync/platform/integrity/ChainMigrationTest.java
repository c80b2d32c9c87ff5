package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import com.spendsync.api.audit.AuditTrailChainedEvent;
import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.DocumentPerEventStorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store written before chaining is chained and sealed once, and from then on verifies like any other. */
class ChainMigrationTest {

    private static final EventEntryConfiguration FIELDS = TrailStore.FIELDS;

    @TempDir
    Path data;

    private TrailStore trail;
    private MongoCollection<Document> stored;
    private final MovedChains moved = new MovedChains();

    @BeforeEach
    void start() throws Exception {
        trail = TrailStore.start(data);
        stored = trail.stored;
    }

    @AfterEach
    void stop() {
        trail.close();
    }

    private MongoEventStorageEngine before() {
        return trail.engine(new DocumentPerEventStorageStrategy(FIELDS, Duration.ofSeconds(10)));
    }

    private MongoEventStorageEngine chained() {
        return trail.chained(moved);
    }

    private final List<AuditTrailChainedEvent> recorded = new ArrayList<>();

    private ChainMigration migration() {
        return new ChainMigration(stored, trail.client.getDatabase("audit").getCollection(ChainMigration.MARKERS),
                trail.seals, trail.key, "node-1", Clock.systemUTC(), recorded::add);
    }

    private static EventMessage<?> keyEvent(String key, long sequence) {
        return new GenericDomainEventMessage<>("ApiKey", key, sequence, Map.of("keyId", key, "step", sequence));
    }

    private StoredChains.Report verify() {
        return trail.verify();
    }

    @Test
    void theEventsOfAnOlderStoreAreChainedSealedAsAMigrationAndContinuedAfterIt() {
        MongoEventStorageEngine older = before();
        for (long sequence = 0; sequence < 3; sequence++) {
            older.appendEvents(keyEvent("key-a", sequence), GenericEventMessage.asEventMessage(Map.of("read", sequence)));
        }
        MongoEventStorageEngine upgraded = chained();
        assertThat(verify().unchainedEvents()).isEqualTo(6);

        ChainMigration.Result result = migration().migrate();

        assertThat(result.eventsChained()).isEqualTo(6);
        assertThat(result.seals()).isEqualTo(1);
        Seal migrationSeal = trail.seals.latest();
        assertThat(migrationSeal.migration()).isTrue();
        assertThat(migrationSeal.heads()).hasSize(4);
        StoredChains.Report report = verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.unchainedEvents()).isZero();
        assertThat(report.eventsChecked()).isEqualTo(6);
        assertThat(migration().migrate().eventsChained()).as("once only").isZero();
        assertThat(recorded).singleElement().satisfies(event -> {
            assertThat(event.eventsChained()).isEqualTo(6);
            assertThat(event.streams()).isEqualTo(4);
            assertThat(event.seals()).isEqualTo(1);
        });

        upgraded.appendEvents(keyEvent("key-a", 3));
        trail.sealer(moved, "node-1").sealNow();
        assertThat(verify().problems()).isEmpty();
        Document migrated = stored.find(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 1L))).first();
        stored.updateOne(eq("_id", migrated.get("_id")), Updates.set("timestamp", "2020-01-01T00:00:00Z"));
        assertThat(verify().problems()).extracting(IntegrityProblem::kind, IntegrityProblem::eventId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.MODIFIED, migrated.getString("eventIdentifier")));
    }

    @Test
    void aStreamAlreadyContinuedByChainedEventsKeepsItsOlderEventsUnchained() {
        before().appendEvents(keyEvent("key-b", 0), keyEvent("key-b", 1));
        chained().appendEvents(keyEvent("key-b", 2));

        ChainMigration.Result result = migration().migrate();

        assertThat(result.eventsChained()).isZero();
        assertThat(result.streamsLeftUnchained()).isEqualTo(1);
        StoredChains.Report report = verify();
        assertThat(report.problems()).extracting(IntegrityProblem::kind).containsOnly(Kind.UNSEALED);
        assertThat(report.unchainedEvents()).isEqualTo(2);
        assertThat(List.of(report.eventsChecked())).containsExactly(1L);
        assertThat(migration().migrate().streamsLeftUnchained()).as("a later start does not walk the store again")
                .isZero();
    }
}
