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
 * The sliding window of the brute-force rule: one entry per recorded batch of refusals (collection
 * {@code alert_brute_force_window}), keyed by event id so an event delivered twice counts once. Times are the
 * events' own, so a replay sums exactly as the first pass did. Entries older than a source's window are pruned
 * when that source is seen again.
 */
@Component
class BruteForceWindow {

    static final String COLLECTION = "alert_brute_force_window";

    private final MongoTemplate mongo;

    BruteForceWindow(MongoTemplate mongo) {
        this.mongo = mongo;
        createIndexes();
    }

    record Entry(@Id String eventId, String source, long count, Instant at) {
    }

    /** Adds a batch of refusals, and returns how many refusals {@code source} made within {@code window} of it. */
    long add(Entry entry, Duration window) {
        mongo.save(entry, COLLECTION);
        Instant start = entry.at().minus(window);
        mongo.remove(Query.query(Criteria.where("source").is(entry.source()).and("at").lte(start)), COLLECTION);
        return mongo.find(Query.query(Criteria.where("source").is(entry.source()).and("at").gt(start)
                        .lte(entry.at())), Entry.class, COLLECTION)
                .stream().mapToLong(Entry::count).sum();
    }

    void removeAll() {
        mongo.dropCollection(COLLECTION);
        createIndexes();
    }

    private void createIndexes() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("source", Sort.Direction.ASC).on("at", Sort.Direction.ASC));
    }
}
