package com.spendsync.alerting.alert;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.auth.Visibility;
import com.spendsync.platform.paging.NewestFirst;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/** The alert store: collection {@code alerts} of the key database, one document per rule and subject. */
@Component
public class Alerts {

    static final String COLLECTION = "alerts";
    private static final String LAST_SEEN = "lastSeen";

    private final MongoTemplate mongo;

    Alerts(MongoTemplate mongo) {
        this.mongo = mongo;
        createIndexes();
    }

    /** Filters of the listing; null means any. {@code from} and {@code to} select alerts active in between. */
    public record Filter(Severity severity, Instant from, Instant to) {
    }

    /** Where a page ended: the sort position of its last alert. */
    public record Position(Instant lastSeen, String alertId) {
    }

    /**
     * Counts a raise into its alert, opening the alert on its first raise. Returns the alert as stored, or null when
     * this event was counted already. A lost race fails, so the processor retries the event on the stored alert.
     */
    public Alert raise(Raise raise) {
        Alert stored = mongo.findById(raise.alertId(), Alert.class, COLLECTION);
        if (stored != null && stored.counted(raise.eventId())) {
            return null;
        }
        Alert next = stored == null ? Alert.first(raise) : stored.raisedAgain(raise);
        if (!save(next, stored)) {
            throw new OptimisticLockingFailureException("alert " + raise.alertId() + " changed while being raised");
        }
        return next;
    }

    public Alert find(String alertId) {
        return mongo.findById(alertId, Alert.class, COLLECTION);
    }

    /**
     * Up to {@code limit} alerts that {@code reader} may see (a scoped or test root key: those about its keys), most
     * recently seen first, after {@code after} (null: from the top).
     */
    public List<Alert> page(Filter filter, Authority reader, Position after, int limit) {
        List<Criteria> conditions = new ArrayList<>();
        Criteria visible = Visibility.of(reader, "ownerId", "environment", KeyEnvironment.TEST);
        if (visible != null) {
            conditions.add(visible);
        }
        if (filter.severity() != null) {
            conditions.add(Criteria.where("severity").is(filter.severity()));
        }
        if (filter.from() != null) {
            conditions.add(Criteria.where(LAST_SEEN).gte(filter.from()));
        }
        if (filter.to() != null) {
            conditions.add(Criteria.where("firstSeen").lte(filter.to()));
        }
        if (after != null) {
            conditions.add(NewestFirst.after(LAST_SEEN, after.lastSeen(), after.alertId()));
        }
        Criteria criteria = conditions.isEmpty() ? new Criteria() : new Criteria().andOperator(conditions);
        return mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, LAST_SEEN, "_id")).limit(limit),
                Alert.class, COLLECTION);
    }

    public void removeAll() {
        mongo.dropCollection(COLLECTION);
        createIndexes();
    }

    private boolean save(Alert alert, Alert stored) {
        if (stored == null) {
            try {
                mongo.insert(alert, COLLECTION);
                return true;
            } catch (DuplicateKeyException alreadyStored) {
                return false;
            }
        }
        return mongo.replace(Query.query(Criteria.where("_id").is(alert.alertId()).and("version").is(stored.version())),
                alert, COLLECTION).getMatchedCount() == 1;
    }

    private void createIndexes() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on(LAST_SEEN, Sort.Direction.DESC)
                .on("_id", Sort.Direction.DESC));
    }
}
