package com.spendsync.alerting.rules;

import com.spendsync.api.apikey.KeyStatus;
import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The alerting projector's own view of the keys (collection {@code alert_key_state}), one document per key. Only the
 * projector writes it, each key's events in order on one segment; a reset drops it with the alerts.
 */
@Component
class KeyStates {

    static final String COLLECTION = "alert_key_state";
    private static final String EXPIRES_AT = "expiresAt";

    private final MongoTemplate mongo;

    KeyStates(MongoTemplate mongo) {
        this.mongo = mongo;
        createIndexes();
    }

    /** The key's state, or an empty one for a key not seen yet. */
    KeyState find(String keyId) {
        KeyState state = mongo.findById(keyId, KeyState.class, COLLECTION);
        return state != null ? state : KeyState.unknown(keyId);
    }

    void save(KeyState state) {
        mongo.save(state, COLLECTION);
    }

    /** Keys neither revoked nor expired whose expiry falls after {@code from} and no later than {@code until}. */
    List<KeyState> expiringBetween(Instant from, Instant until) {
        return mongo.find(Query.query(Criteria.where(EXPIRES_AT).gt(from).lte(until)
                .and("status").in(KeyStatus.ACTIVE, KeyStatus.ROTATING)), KeyState.class, COLLECTION);
    }

    void removeAll() {
        mongo.dropCollection(COLLECTION);
        createIndexes();
    }

    private void createIndexes() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on(EXPIRES_AT, Sort.Direction.ASC));
    }
}
