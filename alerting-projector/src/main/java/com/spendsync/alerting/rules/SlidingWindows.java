package com.spendsync.alerting.rules;

import java.time.Duration;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The sliding windows of the rules that count (collection {@code alert_windows}): one per rule and subject, holding
 * one entry per counted event, keyed by rule and event id so an event delivered twice counts once. Times are the
 * events' own, so a replay sums exactly as the first pass did. Entries older than a window are pruned when its
 * subject is seen again, and by {@link WindowSweeper} for subjects that never come back.
 */
@Component
class SlidingWindows {

    static final String COLLECTION = "alert_windows";
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

    record Entry(@Id String id, String rule, String subject, long count, Instant at) {
    }

    /**
     * Adds {@code count} occurrences seen {@code at} by event {@code eventId} to the window of {@code rule} and
     * {@code subject}, and returns how many that window holds within {@code length} up to {@code at}.
     */
    long add(String rule, String subject, String eventId, long count, Instant at, Duration length) {
        mongo.save(new Entry(rule + ":" + eventId, rule, subject, count, at), COLLECTION);
        Instant start = at.minus(length);
        mongo.remove(Query.query(ofWindow(rule, subject).and("at").lte(start)), COLLECTION);
        return mongo.find(Query.query(ofWindow(rule, subject).and("at").gt(start).lte(at)), Entry.class, COLLECTION)
                .stream().mapToLong(Entry::count).sum();
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
    }
}
