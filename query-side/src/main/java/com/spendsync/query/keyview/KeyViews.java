package com.spendsync.query.keyview;

import com.spendsync.platform.config.SpendSyncProperties;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/** The key query view: one document per key in {@code API_KEY_COLLECTION} of {@code API_KEY_DB_NAME}. */
@Component
public class KeyViews {

    private final MongoTemplate mongo;
    private final String collection;

    KeyViews(MongoTemplate mongo, SpendSyncProperties properties) {
        this.mongo = mongo;
        this.collection = properties.keyCollection();
        createIndexes();
    }

    public KeyView find(String keyId) {
        return mongo.findById(keyId, KeyView.class, collection);
    }

    /**
     * The key whose current, previous or a retired secret has this hash: for verification when Redis lacks an entry.
     */
    public KeyView findBySecretHash(String hash) {
        return mongo.findOne(Query.query(new Criteria().orOperator(
                Criteria.where("keyHash").is(hash), Criteria.where("previousKeyHash").is(hash),
                Criteria.where("retiredSecrets.hash").is(hash))), KeyView.class, collection);
    }

    /**
     * Stores the view if the stored one is still at {@code previousVersion} (null: none stored yet), so a projector
     * and a reconciliation working on the same key cannot store an older view over a newer one.
     */
    boolean save(KeyView view, Long previousVersion) {
        if (previousVersion == null) {
            try {
                mongo.insert(view, collection);
                return true;
            } catch (DuplicateKeyException alreadyStored) {
                return false;
            }
        }
        return mongo.replace(Query.query(Criteria.where("_id").is(view.keyId()).and("version").is(previousVersion)),
                view, collection).getMatchedCount() == 1;
    }

    /**
     * A page in key id order, after the key id {@code after} (null for the first page), of the keys matching
     * {@code visible} too (null: all).
     */
    List<KeyView> page(String ownerId, String status, String after, int limit, Criteria visible) {
        Criteria criteria = visible == null ? new Criteria() : new Criteria().andOperator(visible);
        if (ownerId != null) {
            criteria.and("ownerId").is(ownerId);
        }
        if (status != null) {
            criteria.and("status").is(status);
        }
        if (after != null) {
            criteria.and("_id").gt(after);
        }
        return mongo.find(Query.query(criteria).with(Sort.by("_id")).limit(limit), KeyView.class, collection);
    }

    /** Every key in key id order (a walk of the _id index), one at a time from a cursor: for seeding another view. */
    public void forEach(Consumer<KeyView> action) {
        try (var views = mongo.stream(new Query().with(Sort.by("_id")), KeyView.class, collection)) {
            views.forEach(action);
        }
    }

    void removeAll() {
        mongo.dropCollection(collection);
        createIndexes();
    }

    private void createIndexes() {
        mongo.indexOps(collection).ensureIndex(new Index().on("ownerId", Sort.Direction.ASC).on("_id", Sort.Direction.ASC));
        mongo.indexOps(collection).ensureIndex(new Index().on("status", Sort.Direction.ASC).on("_id", Sort.Direction.ASC));
        mongo.indexOps(collection).ensureIndex(new Index().on("keyHash", Sort.Direction.ASC));
        mongo.indexOps(collection).ensureIndex(new Index().on("previousKeyHash", Sort.Direction.ASC));
        mongo.indexOps(collection).ensureIndex(new Index().on("retiredSecrets.hash", Sort.Direction.ASC));
    }
}
