package com.spendsync.query.keyview;

import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Copies of a key's view, one every {@code keyCheckpointInterval} events, in {@code API_KEY_COLLECTION}
 * {@code _checkpoints}: the key's state at an instant is the newest copy whose events all came before it, with the
 * events after the copy folded in, instead of a fold of its whole history (an active key adds an event a minute).
 */
@Component
class KeyViewCheckpoints {

    private final MongoTemplate mongo;
    private final String collection;
    private final int interval;

    KeyViewCheckpoints(MongoTemplate mongo, SpendSyncProperties properties) {
        this.mongo = mongo;
        this.collection = properties.keyCollection() + "_checkpoints";
        this.interval = properties.keyCheckpointInterval();
        createIndexes();
    }

    /** One copy: {@code view} is the fold of the key's events up to its version, all stamped by its foldedUntil. */
    record Checkpoint(@Id String id, String keyId, long version, Instant foldedUntil, KeyView view) {
    }

    /** Whether folding from {@code loaded} to {@code folded} passed a multiple of the interval. */
    boolean due(KeyView loaded, KeyView folded) {
        long before = loaded == null ? 0 : loaded.version() / interval;
        return folded.version() / interval > before;
    }

    /** Keeps {@code view}, whose foldedUntil is known; keeping the same version twice keeps it once. */
    void keep(KeyView view) {
        mongo.save(new Checkpoint(view.keyId() + ":" + view.version(), view.keyId(), view.version(),
                view.foldedUntil(), view), collection);
    }

    /** The newest copy of the key whose events all came at or before {@code instant}, or null. */
    KeyView newestUntil(String keyId, Instant instant) {
        Checkpoint newest = mongo.findOne(Query.query(Criteria.where("keyId").is(keyId).and("foldedUntil").lte(instant))
                .with(Sort.by(Sort.Direction.DESC, "foldedUntil", "version")), Checkpoint.class, collection);
        return newest == null ? null : newest.view();
    }

    void removeAll() {
        mongo.dropCollection(collection);
        createIndexes();
    }

    private void createIndexes() {
        mongo.indexOps(collection).ensureIndex(new Index().on("keyId", Sort.Direction.ASC)
                .on("foldedUntil", Sort.Direction.DESC).on("version", Sort.Direction.DESC));
    }
}
