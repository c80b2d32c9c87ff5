package com.spendsync.command.deadline;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.springframework.stereotype.Component;

/**
 * The {@code key_deadlines} collection: one document per key, with {@code due} the sooner of its expiry and its grace
 * end when either is ahead, and the sequence number of the key's last event folded in. It survives restarts, so no
 * deadline is lost with a process; an ended key keeps its document with nothing due, so its sequence stays known.
 */
@Component
class KeyDeadlines {

    static final String COLLECTION = "key_deadlines";
    private static final String EXPIRES_AT = "expiresAt";
    private static final String GRACE_ENDS_AT = "graceEndsAt";
    private static final String DUE = "due";
    private static final String SEQUENCE = "sequence";

    private final MongoCollection<Document> collection;

    KeyDeadlines(MongoClient client, SpendSyncProperties properties) {
        this.collection = client.getDatabase(properties.keyDatabase()).getCollection(COLLECTION);
        createIndexes();
    }

    /** A key's deadlines, null when it has none ahead, after its events up to {@code sequence}. */
    record Deadline(String keyId, Instant expiresAt, Instant graceEndsAt, long sequence) {

        Instant due() {
            if (expiresAt == null) {
                return graceEndsAt;
            }
            return graceEndsAt == null || expiresAt.isBefore(graceEndsAt) ? expiresAt : graceEndsAt;
        }
    }

    Deadline find(String keyId) {
        Document document = collection.find(Filters.eq("_id", keyId)).first();
        return document == null ? null : deadlineOf(document);
    }

    /**
     * Stores the deadline if the stored one is still at {@code previousSequence} (null: none stored yet), so a
     * projector and a reconciliation working on the same key cannot store an older state over a newer one.
     */
    boolean save(Deadline deadline, Long previousSequence) {
        Document document = new Document("_id", deadline.keyId())
                .append(EXPIRES_AT, date(deadline.expiresAt()))
                .append(GRACE_ENDS_AT, date(deadline.graceEndsAt()))
                .append(DUE, date(deadline.due()))
                .append(SEQUENCE, deadline.sequence());
        if (previousSequence == null) {
            try {
                collection.insertOne(document);
                return true;
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                    return false;
                }
                throw e;
            }
        }
        return collection.replaceOne(Filters.and(Filters.eq("_id", deadline.keyId()),
                Filters.eq(SEQUENCE, previousSequence)), document).getMatchedCount() == 1;
    }

    /** Dropping the collection, not deleting every document: a delete with no filter would walk all of it. */
    void removeAll() {
        collection.drop();
        createIndexes();
    }

    private void createIndexes() {
        collection.createIndex(Indexes.ascending(DUE));
    }

    List<Deadline> dueBy(Instant now, int limit) {
        List<Deadline> due = new ArrayList<>();
        for (Document document : collection.find(Filters.lte(DUE, Date.from(now))).limit(limit)) {
            due.add(deadlineOf(document));
        }
        return due;
    }

    private static Deadline deadlineOf(Document document) {
        Number sequence = document.get(SEQUENCE, Number.class);
        return new Deadline(document.getString("_id"), instant(document.getDate(EXPIRES_AT)),
                instant(document.getDate(GRACE_ENDS_AT)), sequence == null ? -1 : sequence.longValue());
    }

    private static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
