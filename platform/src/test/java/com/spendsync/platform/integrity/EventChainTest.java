package com.spendsync.platform.integrity;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lt;
import static org.assertj.core.groups.Tuple.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import com.spendsync.platform.integrity.TrailIntegrity.Period;
import com.spendsync.platform.problem.StateConflictException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.ConcurrencyException;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events appended through axon-mongo's storage engine are chained; every kind of tampering done straight through the
 * MongoDB driver, with no application code, is found by the walk over the stored chains.
 */
class EventChainTest {

    private static final EventEntryConfiguration FIELDS = TrailStore.FIELDS;

    @TempDir
    Path data;

    private TrailStore trail;
    private MongoCollection<Document> stored;
    private MongoClient client;
    private final MovedChains moved = new MovedChains();

    @BeforeEach
    void start() throws Exception {
        trail = TrailStore.start(data);
        stored = trail.stored;
        client = trail.client;
    }

    @AfterEach
    void stop() {
        trail.close();
    }

    private void seal() {
        assertThat(trail.sealer(moved, "node-1").sealNow()).isNotNull();
    }

    private MongoEventStorageEngine engine() {
        return trail.chained(moved);
    }

    private static EventMessage<?> keyEvent(String key, long sequence) {
        return new GenericDomainEventMessage<>("ApiKey", key, sequence,
                Map.of("keyId", key, "change", "step " + sequence), MetaData.with("actor", "root"));
    }

    private static EventMessage<?> fact(String what) {
        return GenericEventMessage.asEventMessage(Map.of("fact", what)).andMetaData(Map.of("actor", "system"));
    }

    /** Two keys of five and three events, and three facts of the service between them: eleven events. */
    private void appendTrail(MongoEventStorageEngine engine) {
        for (long sequence = 0; sequence < 5; sequence++) {
            engine.appendEvents(keyEvent("key-a", sequence));
            if (sequence < 3) {
                engine.appendEvents(keyEvent("key-b", sequence), fact("read " + sequence));
            }
        }
    }

    private Document storedEvent(String key, long sequence) {
        return stored.find(and(eq("aggregateIdentifier", key), eq("sequenceNumber", sequence))).first();
    }

    /** The facts of every service chain, read by the chain index as an attacker's script could. */
    private List<Document> serviceFacts() {
        return stored.find(and(gte(EventChain.CHAIN, EventChain.SERVICE_CHAIN_PREFIX), lt(EventChain.CHAIN, "service;")))
                .into(new ArrayList<>());
    }

    private void tamper(String key, long sequence, String field, Object value) {
        stored.updateOne(and(eq("aggregateIdentifier", key), eq("sequenceNumber", sequence)), Updates.set(field, value));
    }

    private static String changeOneCharacter(String text) {
        int at = text.indexOf("step");
        return text.substring(0, at) + "Step" + text.substring(at + 4);
    }

    private StoredChains.Report verify() {
        return trail.verify();
    }

    /** The problems but the unsealed events' (what a store written since its last seal shows). */
    private static List<IntegrityProblem> problems(StoredChains.Report report) {
        return report.problems().stream().filter(problem -> problem.kind() != Kind.UNSEALED).toList();
    }

    @Test
    void anUntouchedTrailVerifiesCleanWithEveryEventLinked() {
        appendTrail(engine());
        seal();

        StoredChains.Report report = verify();

        assertThat(problems(report)).isEmpty();
        assertThat(report.verified()).isTrue();
        assertThat(report.eventsChecked()).isEqualTo(11);
        assertThat(report.unsealedEvents()).isZero();
        assertThat(report.sealsChecked()).isEqualTo(1);
        Document third = storedEvent("key-a", 2);
        assertThat(third.getString(EventChain.CHAIN)).isEqualTo("key-a");
        assertThat(third.get(EventChain.POSITION, Number.class).longValue()).isEqualTo(2);
        assertThat(third.getString(EventChain.PREVIOUS)).isEqualTo(storedEvent("key-a", 1).getString(EventChain.HASH));
        assertThat(storedEvent("key-a", 0).getString(EventChain.PREVIOUS)).isEqualTo(EventChain.GENESIS);
        List<Document> facts = serviceFacts();
        assertThat(facts).hasSize(3).allSatisfy(fact ->
                assertThat(fact.getString(EventChain.CHAIN)).startsWith(EventChain.SERVICE_CHAIN_PREFIX));
        assertThat(facts.stream().map(fact -> fact.get(EventChain.POSITION, Number.class).longValue()))
                .containsExactlyInAnyOrder(0L, 1L, 2L);
    }

    @Test
    void oneChangedByteOfAPayloadOfMetadataOrOfATimestampIsAModifiedEvent() {
        appendTrail(engine());
        seal();
        tamper("key-a", 1, "serializedPayload", changeOneCharacter(storedEvent("key-a", 1).getString("serializedPayload")));
        tamper("key-a", 3, "serializedMetaData", storedEvent("key-a", 3).getString("serializedMetaData").replace("root", "rooT"));
        String timestamp = storedEvent("key-b", 2).getString("timestamp");
        tamper("key-b", 2, "timestamp", "1" + timestamp.substring(1));

        StoredChains.Report report = verify();

        assertThat(problems(report)).extracting(IntegrityProblem::kind, IntegrityProblem::eventId).containsExactlyInAnyOrder(
                tuple(Kind.MODIFIED, storedEvent("key-a", 1).getString("eventIdentifier")),
                tuple(Kind.MODIFIED, storedEvent("key-a", 3).getString("eventIdentifier")),
                tuple(Kind.MODIFIED, storedEvent("key-b", 2).getString("eventIdentifier")));
        assertThat(report.verified()).isFalse();
    }

    @Test
    void aDeletedEventInTheMiddleOrAtTheStartIsMissing() {
        appendTrail(engine());
        seal();
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 2L)));
        stored.deleteOne(and(eq("aggregateIdentifier", "key-b"), eq("sequenceNumber", 0L)));

        StoredChains.Report report = verify();

        assertThat(problems(report)).extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .containsExactlyInAnyOrder(tuple(Kind.MISSING, "key-a", 2L),
                        tuple(Kind.MISSING, "key-b", 0L));
    }

    @Test
    void swappedSequenceNumbersAreReordered() {
        appendTrail(engine());
        seal();
        String first = storedEvent("key-a", 1).getString("eventIdentifier");
        String second = storedEvent("key-a", 3).getString("eventIdentifier");
        tamper("key-a", 1, "sequenceNumber", 99L);
        tamper("key-a", 3, "sequenceNumber", 1L);
        tamper("key-a", 99, "sequenceNumber", 3L);

        StoredChains.Report report = verify();

        assertThat(problems(report)).extracting(IntegrityProblem::kind, IntegrityProblem::eventId)
                .containsExactlyInAnyOrder(tuple(Kind.REORDERED, first),
                        tuple(Kind.REORDERED, second));
    }

    @Test
    void aForgedEventWithAValidLookingChainFieldIsInserted() {
        appendTrail(engine());
        seal();
        // the attacker knows the algorithm: the forged event's own hash is right, and it links to a real event
        Document genuine = storedEvent("key-b", 1);
        Document forged = new Document(genuine);
        forged.remove("_id");
        forged.put("eventIdentifier", UUID.randomUUID().toString());
        forged.put("aggregateIdentifier", "key-b-forged-copy");
        forged.put("serializedPayload", genuine.getString("serializedPayload").replace("step 1", "step X"));
        forged.put("aggregateIdentifier", "key-b");
        forged.put("sequenceNumber", 1L);
        forged.put(EventChain.HASH, EventChain.hash(forged, FIELDS, "key-b", 1, genuine.getString(EventChain.PREVIOUS)));
        // Axon's unique index refuses a second event at the same sequence: the attacker drops it first
        stored.dropIndex("uniqueAggregateIndex");
        stored.insertOne(forged);

        StoredChains.Report report = verify();

        assertThat(problems(report)).extracting(IntegrityProblem::kind, IntegrityProblem::eventId)
                .containsExactly(tuple(Kind.INSERTED, forged.getString("eventIdentifier")));
    }

    @Test
    void aKeysChainContinuesAcrossARestartAndAServiceChainStartsAnew() {
        appendTrail(engine());
        seal();
        MongoEventStorageEngine restarted = engine();
        restarted.appendEvents(keyEvent("key-a", 5), fact("after the restart"));

        assertThat(storedEvent("key-a", 5).getString(EventChain.PREVIOUS))
                .isEqualTo(storedEvent("key-a", 4).getString(EventChain.HASH));
        Document fact = serviceFacts().stream()
                .filter(stored -> stored.getString("serializedPayload").contains("after the restart")).findFirst().orElseThrow();
        assertThat(fact.get(EventChain.POSITION, Number.class).longValue()).isZero();
        assertThat(fact.getString(EventChain.PREVIOUS)).isEqualTo(EventChain.GENESIS);
        assertThat(problems(verify())).isEmpty();
        assertThat(verify().eventsChecked()).isEqualTo(13);
    }

    @Test
    void twoInstancesAppendingToOneKeyLeaveOneIntactChain() {
        MongoEventStorageEngine one = engine();
        MongoEventStorageEngine two = engine();
        one.appendEvents(keyEvent("key-a", 0));
        two.appendEvents(keyEvent("key-a", 1));
        // both decided on position 2; Axon's unique (aggregate, sequence) index keeps the first
        one.appendEvents(keyEvent("key-a", 2), fact("one"));
        assertThatThrownBy(() -> two.appendEvents(keyEvent("key-a", 2), fact("two")))
                .isInstanceOfAny(ConcurrencyException.class, EventStoreException.class);
        two.appendEvents(fact("two, again"));
        one.appendEvents(keyEvent("key-a", 3));

        StoredChains.Report report = verify();

        assertThat(problems(report)).isEmpty();
        assertThat(storedEvent("key-a", 3).getString(EventChain.PREVIOUS))
                .isEqualTo(storedEvent("key-a", 2).getString(EventChain.HASH));
    }

    @Test
    void deletingTheNewestEventsOfASealedChainIsMissingAndEventsAfterTheSealAreUnsealed() {
        appendTrail(engine());
        seal();
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 4L)));
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 3L)));
        engine().appendEvents(keyEvent("key-b", 3));

        StoredChains.Report report = verify();

        assertThat(report.problems()).extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .containsExactlyInAnyOrder(tuple(Kind.MISSING, "key-a", 3L), tuple(Kind.UNSEALED, "key-b", 3L));
        assertThat(report.unsealedEvents()).isEqualTo(1);
        assertThat(report.verified()).isFalse();
    }

    @Test
    void aChainRewrittenWithFreshHashesDoesNotMatchItsSeal() {
        appendTrail(engine());
        seal();
        // the attacker changes key-a's event 1 and recomputes every hash after it, as the algorithm is public
        tamper("key-a", 1, "serializedPayload", changeOneCharacter(storedEvent("key-a", 1).getString("serializedPayload")));
        String previous = storedEvent("key-a", 0).getString(EventChain.HASH);
        for (long position = 1; position < 5; position++) {
            Document event = storedEvent("key-a", position);
            String hash = EventChain.hash(event, FIELDS, "key-a", position, previous);
            stored.updateOne(eq("_id", event.get("_id")),
                    Updates.combine(Updates.set(EventChain.PREVIOUS, previous), Updates.set(EventChain.HASH, hash)));
            previous = hash;
        }

        StoredChains.Report report = verify();

        assertThat(report.problems()).extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .containsExactly(tuple(Kind.MODIFIED, "key-a", 4L));
    }

    @Test
    void aSealChangedReplacedSignedWithAnotherKeyOrRemovedIsFound() throws Exception {
        appendTrail(engine());
        seal();
        engine().appendEvents(keyEvent("key-a", 5));
        seal();
        engine().appendEvents(keyEvent("key-a", 6));
        seal();
        assertThat(problems(verify())).isEmpty();

        // the newest seal claims less than it did, to hide a removed event
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 6L)));
        MongoCollection<Document> sealDocuments = client.getDatabase("audit").getCollection(SealStore.COLLECTION);
        sealDocuments.updateOne(eq("_id", 2L), Updates.set("heads.0.position", 5L));
        assertThat(problems(verify())).extracting(IntegrityProblem::kind, IntegrityProblem::sealId)
                .contains(tuple(Kind.BAD_SIGNATURE, 2L));

        // replaced by a seal signed with another key, well formed and linked
        Seal original = SealStore.fromDocument(sealDocuments.find(eq("_id", 1L)).first());
        SigningKey other = SigningKey.load(data.resolve("other-key.pem"), true);
        Seal forged = Seal.sign(1, original.previous(), original.sealedAt(), "node-1", false, original.heads(), other);
        sealDocuments.replaceOne(eq("_id", 1L), SealStore.toDocument(forged));
        assertThat(problems(verify())).extracting(IntegrityProblem::kind, IntegrityProblem::sealId)
                .contains(tuple(Kind.BAD_SIGNATURE, 1L), tuple(Kind.INSERTED, 2L));

        // a seal in the middle removed
        sealDocuments.deleteOne(eq("_id", 1L));
        assertThat(problems(verify())).extracting(IntegrityProblem::kind, IntegrityProblem::sealId)
                .contains(tuple(Kind.MISSING, 1L));
    }

    @Test
    void twoInstancesSealingTheSameStoreKeepOneSealChain() {
        MovedChains otherChains = new MovedChains();
        MongoEventStorageEngine one = engine();
        MongoEventStorageEngine two = trail.chained(otherChains);
        AuditSealer sealerOne = trail.sealer(moved, "node-1");
        AuditSealer sealerTwo = trail.sealer(otherChains, "node-2");
        for (long sequence = 0; sequence < 6; sequence++) {
            (sequence % 2 == 0 ? one : two).appendEvents(keyEvent("key-a", sequence), fact("fact " + sequence));
            (sequence % 2 == 0 ? sealerOne : sealerTwo).sealNow();
        }

        StoredChains.Report report = verify();

        assertThat(report.problems()).isEmpty();
        assertThat(report.sealsChecked()).isEqualTo(6);
        assertThat(report.eventsChecked()).isEqualTo(12);
        assertThat(sealerOne.sealNow()).as("nothing moved since").isNull();
    }

    private Instant sealAt(Instant instant) {
        return trail.sealer(moved, "node-1", Clock.fixed(instant, ZoneOffset.UTC)).sealNow().sealedAt();
    }

    @Test
    void aPeriodChecksOnlyTheChainsThatMovedInItEachFromItsHeadSealedBefore() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        appendTrail(engine());
        sealAt(hourAgo);
        engine().appendEvents(keyEvent("key-a", 5));
        engine().appendEvents(keyEvent("key-a", 6));
        engine().appendEvents(keyEvent("key-c", 0));
        Instant second = sealAt(hourAgo.plus(Duration.ofMinutes(10)));
        engine().appendEvents(keyEvent("key-b", 3));
        Period sinceFirst = new Period(hourAgo.plus(Duration.ofMinutes(5)), null);
        Period betweenSeals = new Period(sinceFirst.from(), second.plusSeconds(1));

        // key-a from its sealed head at 4 to 6, key-c whole; open to now, key-b from its head at 2, its 3 unsealed
        StoredChains.Report open = trail.verify(sinceFirst);
        assertThat(open.problems()).extracting(IntegrityProblem::kind, IntegrityProblem::chain)
                .containsExactly(tuple(Kind.UNSEALED, "key-b"));
        assertThat(open.eventsChecked()).isEqualTo(6);
        assertThat(open.unsealedEvents()).isOne();
        assertThat(open.verified()).isTrue();
        StoredChains.Report closed = trail.verify(betweenSeals);
        assertThat(closed.problems()).isEmpty();
        assertThat(closed.eventsChecked()).isEqualTo(4);
        assertThat(closed.sealsChecked()).isEqualTo(2);

        // an event before the period, on a chain that did not move in it, is outside it; the whole trail has it
        tamper("key-b", 1, FIELDS.payloadProperty(), changeOneCharacter(storedEvent("key-b", 1).getString(FIELDS.payloadProperty())));
        assertThat(trail.verify(betweenSeals).verified()).isTrue();
        assertThat(problems(verify())).extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .containsExactly(tuple(Kind.MODIFIED, "key-b", 1L));

        // the sealed head a chain starts from, and the newest event sealed in the period, are in it
        tamper("key-a", 4, FIELDS.payloadProperty(), changeOneCharacter(storedEvent("key-a", 4).getString(FIELDS.payloadProperty())));
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 6L)));
        assertThat(trail.verify(betweenSeals).problems())
                .extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .containsExactlyInAnyOrder(tuple(Kind.MODIFIED, "key-a", 4L), tuple(Kind.MISSING, "key-a", 6L));
        stored.deleteOne(and(eq("aggregateIdentifier", "key-a"), eq("sequenceNumber", 4L)));
        assertThat(trail.verify(betweenSeals).problems())
                .extracting(IntegrityProblem::kind, IntegrityProblem::chain, IntegrityProblem::position)
                .contains(tuple(Kind.MISSING, "key-a", 4L));
    }

    @Test
    void aCheckIsRefusedWhileAnotherRunsOnTheSameInstance() throws Exception {
        appendTrail(engine());
        Semaphore checking = new Semaphore(1);
        TrailIntegrity integrity = new TrailIntegrity(stored, trail.seals, trail.key.publicKey(), checking);
        checking.acquire();

        assertThatThrownBy(integrity::verify).isInstanceOfSatisfying(StateConflictException.class, refused -> {
            assertThat(refused.kind()).isEqualTo("integrity-check-in-progress");
            assertThat(refused.title()).isEqualTo("Integrity check already running");
        });

        checking.release();
        assertThat(integrity.verify().eventsChecked()).isEqualTo(11);
        assertThat(checking.availablePermits()).as("the check let go when it ended").isOne();
    }

    @Test
    void removingOrPostdatingThePeriodsSealsDoesNotHideAnEventChangedInIt() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        appendTrail(engine());
        sealAt(hourAgo);
        engine().appendEvents(keyEvent("key-a", 5));
        sealAt(hourAgo.plus(Duration.ofMinutes(10)));
        engine().appendEvents(keyEvent("key-b", 3));
        sealAt(hourAgo.plus(Duration.ofMinutes(20)));
        Period period = new Period(hourAgo.plus(Duration.ofMinutes(5)), hourAgo.plus(Duration.ofMinutes(15)));
        assertThat(trail.verify(period).problems()).isEmpty();
        tamper("key-a", 5, FIELDS.payloadProperty(), changeOneCharacter(storedEvent("key-a", 5).getString(FIELDS.payloadProperty())));
        MongoCollection<Document> sealDocuments = client.getDatabase("audit").getCollection(SealStore.COLLECTION);

        sealDocuments.updateOne(eq("_id", 1L), Updates.set("sealedAt", java.util.Date.from(Instant.parse("9999-01-01T00:00:00Z"))));
        StoredChains.Report postdated = trail.verify(period);
        assertThat(postdated.verified()).isFalse();
        assertThat(postdated.problems()).extracting(IntegrityProblem::kind)
                .contains(Kind.BAD_SIGNATURE).doesNotContain(Kind.UNSEALED);

        sealDocuments.deleteOne(eq("_id", 1L));
        StoredChains.Report removed = trail.verify(period);
        assertThat(removed.verified()).isFalse();
        assertThat(removed.problems()).extracting(IntegrityProblem::kind, IntegrityProblem::sealId)
                .contains(tuple(Kind.MISSING, 1L));
    }

    @Test
    void sealsOfInstancesWhoseClocksDisagreeAreTakenByTheirOwnInstants() {
        Instant base = Instant.now().minus(Duration.ofHours(1));
        appendTrail(engine());
        sealAt(base.plusMillis(500));
        engine().appendEvents(keyEvent("key-a", 5));
        sealAt(base.plusMillis(200));

        StoredChains.Report report = trail.verify(new Period(base, base.plusMillis(300)));

        assertThat(report.problems()).isEmpty();
        assertThat(report.verified()).isTrue();
        assertThat(report.sealsChecked()).isEqualTo(2);
    }

    @Test
    void eventsAnInstanceStoredAndNeverSealedAreUnsealedInThePeriodTheyWereStoredIn() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        engine().appendEvents(keyEvent("key-a", 0));
        sealAt(hourAgo);
        // appended by an instance that stopped before sealing them; another seals ten minutes later, without them
        trail.chained(new MovedChains()).appendEvents(keyEvent("key-c", 0), fact("unsealed"));
        engine().appendEvents(keyEvent("key-a", 1));
        sealAt(Instant.now().plus(Duration.ofMinutes(10)));

        StoredChains.Report open = trail.verify(new Period(hourAgo, null));
        StoredChains.Report closed = trail.verify(new Period(hourAgo, Instant.now().plus(Duration.ofMinutes(11))));

        for (StoredChains.Report report : List.of(open, closed)) {
            assertThat(report.unsealedEvents()).isEqualTo(2);
            assertThat(report.problems()).extracting(IntegrityProblem::kind).containsOnly(Kind.UNSEALED);
            // key-a from its head sealed before the period (0) to 1, key-c's event and the fact
            assertThat(report.eventsChecked()).isEqualTo(4);
        }
    }

    @Test
    void anEventStoredWithoutChainFieldsAfterTheFirstSealIsInserted() {
        appendTrail(engine());
        seal();
        Document forged = new Document(storedEvent("key-b", 2));
        forged.remove("_id");
        List.of(EventChain.CHAIN, EventChain.POSITION, EventChain.PREVIOUS, EventChain.HASH).forEach(forged::remove);
        forged.put("aggregateIdentifier", "key-forged");
        forged.put("eventIdentifier", UUID.randomUUID().toString());
        forged.put(FIELDS.timestampProperty(), Instant.now().plusSeconds(1).toString());
        stored.insertOne(forged);

        StoredChains.Report whole = verify();
        StoredChains.Report period = trail.verify(new Period(Instant.now().minus(Duration.ofHours(1)), null));

        for (StoredChains.Report report : List.of(whole, period)) {
            assertThat(report.problems()).extracting(IntegrityProblem::kind, IntegrityProblem::eventId)
                    .containsExactly(tuple(Kind.INSERTED, forged.getString("eventIdentifier")));
            assertThat(report.unchainedEvents()).isOne();
        }
        assertThat(whole.newestSeal().sequence()).isZero();
    }
}
