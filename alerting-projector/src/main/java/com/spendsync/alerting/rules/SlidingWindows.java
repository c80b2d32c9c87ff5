package com.spendsync.alerting.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * The sliding windows of the rules that count (collection {@code alert_windows}): one per rule and subject, summed
 * over the events' own times, so a replay sums exactly as the first pass did. A window keeps one entry per second of
 * those times, with the sum of its counts and the ids of the events counted into it: an event delivered twice counts
 * once, and reading a window costs at most one entry per second of its length, however many sources feed it (the
 * brute-force total counts every source). Entries older than a window are pruned when its subject is seen again, and
 * by {@link WindowSweeper} for subjects that never come back.
 */
@Component
class SlidingWindows {

    static final String COLLECTION = "alert_windows";
    private static final String COUNTED = "counted";
    /** Where the brute-force rule alone kept its window before; nothing reads it any more. */
    private static final String FORMER_COLLECTION = "alert_brute_force_window";

    private final MongoTemplate mongo;

    SlidingWindows(MongoTemplate mongo) {
        this.mongo = mongo;
        if (mongo.collectionExists(FORMER_COLLECTION)) {
            mongo.dropCollection(FORMER_COLLECTION);
        }
        createIndexes();
    }

    /**
     * Adds {@code count} occurrences seen {@code at} by event {@code eventId} to the window of {@code rule} and
     * {@code subject}, and returns how many that window holds within {@code length} up to {@code at}, to the second.
     */
    long add(String rule, String subject, String eventId, long count, Instant at, Duration length) {
        Instant second = at.truncatedTo(ChronoUnit.SECONDS);
        // the digits of the second end the rule's name unambiguously, whatever the subject holds
        String entryId = rule + ":" + second.getEpochSecond() + ":" + subject;
        try {
            mongo.upsert(Query.query(Criteria.where("_id").is(entryId).and(COUNTED).ne(eventId)),
                    new Update().inc("count", count).push(COUNTED, eventId).setOnInsert("rule", rule)
                            .setOnInsert("subject", subject).setOnInsert("at", second), COLLECTION);
        } catch (DuplicateKeyException countedAlready) {
            // the entry exists and lists the event, so the upsert matched nothing and tried to insert it anew
        }
        Instant start = second.minus(length);
        mongo.remove(Query.query(ofWindow(rule, subject).and("at").lte(start)), COLLECTION);
        Query inWindow = Query.query(ofWindow(rule, subject).and("at").gt(start).lte(second));
        inWindow.fields().include("count");
        return mongo.find(inWindow, Document.class, COLLECTION).stream()
                .mapToLong(entry -> entry.get("count", Number.class).longValue()).sum();
    }

    /** Drops every entry seen before {@code before}, whatever its subject; returns how many. */
    long removeBefore(Instant before) {
        return mongo.remove(Query.query(Criteria.where("at").lt(before)), COLLECTION).getDeletedCount();
    }

    void removeAll() {
        mongo.dropCollection(COLLECTION);
        createIndexes();
    }

    private static Criteria ofWindow(String rule, String subject) {
        return Criteria.where("rule").is(rule).and("subject").is(subject);
    }

    private void createIndexes() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("rule", Sort.Direction.ASC)
                .on("subject", Sort.Direction.ASC).on("at", Sort.Direction.ASC));
        // for the sweep of entries of every subject: removeBefore
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("at", Sort.Direction.ASC));
    }
}
