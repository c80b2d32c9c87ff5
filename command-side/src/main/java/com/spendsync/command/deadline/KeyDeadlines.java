package com.spendsync.command.deadline;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.springframework.stereotype.Component;

/**
 * The {@code key_deadlines} collection: one document per key that has an expiry or a grace end ahead, with
 * {@code due} the sooner of the two. It survives restarts, so no deadline is lost with a process.
 */
@Component
class KeyDeadlines {

    static final String COLLECTION = "key_deadlines";
    private static final String EXPIRES_AT = "expiresAt";
    private static final String GRACE_ENDS_AT = "graceEndsAt";
    private static final String DUE = "due";

    private final MongoCollection<Document> collection;

    KeyDeadlines(MongoClient client, SpendSyncProperties properties) {
        this.collection = client.getDatabase(properties.keyDatabase()).getCollection(COLLECTION);
        this.collection.createIndex(Indexes.ascending(DUE));
    }

    record Deadline(String keyId, Instant expiresAt, Instant graceEndsAt) {
    }

    void setExpiry(String keyId, Instant expiresAt) {
        set(keyId, EXPIRES_AT, expiresAt);
    }

    void setGraceEnd(String keyId, Instant graceEndsAt) {
        set(keyId, GRACE_ENDS_AT, graceEndsAt);
    }

    void remove(String keyId) {
        collection.deleteOne(Filters.eq("_id", keyId));
    }

    void removeAll() {
        collection.deleteMany(new Document());
    }

    List<Deadline> dueBy(Instant now, int limit) {
        List<Deadline> due = new ArrayList<>();
        for (Document document : collection.find(Filters.lte(DUE, Date.from(now))).limit(limit)) {
            due.add(new Deadline(document.getString("_id"), instant(document.getDate(EXPIRES_AT)),
                    instant(document.getDate(GRACE_ENDS_AT))));
        }
        return due;
    }

    private void set(String keyId, String field, Instant value) {
        Document after = collection.findOneAndUpdate(Filters.eq("_id", keyId),
                Updates.set(field, value == null ? null : Date.from(value)),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        Date expiresAt = after.getDate(EXPIRES_AT);
        Date graceEndsAt = after.getDate(GRACE_ENDS_AT);
        Date due = expiresAt == null ? graceEndsAt
                : graceEndsAt == null || expiresAt.before(graceEndsAt) ? expiresAt : graceEndsAt;
        if (due == null) {
            remove(keyId);
        } else {
            collection.updateOne(Filters.eq("_id", keyId), Updates.set(DUE, due));
        }
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
