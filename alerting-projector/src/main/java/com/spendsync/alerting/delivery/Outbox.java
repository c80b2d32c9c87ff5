package com.spendsync.alerting.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * The notifications still to send and those sent (collection {@code alert_outbox} of the key database), the latter
 * for as long as the audit view keeps its entries. It is not a view: a replay of the alerting projection leaves it alone, so nothing sent is sent again and nothing queued is
 * lost. Instances share it by leases: an atomic find-and-modify claims one notification at a time.
 */
@Component
public class Outbox {

    static final String COLLECTION = "alert_outbox";
    private static final String STATUS = "status";
    private static final String NEXT_ATTEMPT_AT = "nextAttemptAt";
    private static final String CLAIMED_BY = "claimedBy";
    private static final String CLAIMED_UNTIL = "claimedUntil";

    private final MongoTemplate mongo;

    Outbox(MongoTemplate mongo) {
        this.mongo = mongo;
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("channel", Sort.Direction.ASC)
                .on(STATUS, Sort.Direction.ASC).on(NEXT_ATTEMPT_AT, Sort.Direction.ASC));
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("alertId", Sort.Direction.ASC)
                .on("queuedAt", Sort.Direction.DESC));
        // MongoDB drops finished messages after the audit retention; the embedded server ignores TTL indexes
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("expireAt", Sort.Direction.ASC).expire(Duration.ZERO));
    }

    /** Queues a notification unless it is queued already; true when this call queued it. */
    boolean enqueue(Notification notification) {
        try {
            mongo.insert(notification, COLLECTION);
            return true;
        } catch (DuplicateKeyException alreadyQueued) {
            return false;
        }
    }

    /** Claims the most overdue notification of {@code channel} for {@code node} until {@code until}, if any. */
    Notification claimNext(String channel, String node, Instant now, Instant until) {
        Query due = Query.query(Criteria.where("channel").is(channel).and(STATUS).is(Notification.Status.PENDING)
                        .and(NEXT_ATTEMPT_AT).lte(now).and(CLAIMED_UNTIL).lte(now))
                .with(Sort.by(Sort.Direction.ASC, NEXT_ATTEMPT_AT));
        return mongo.findAndModify(due, new Update().set(CLAIMED_BY, node).set(CLAIMED_UNTIL, until),
                FindAndModifyOptions.options().returnNew(true), Notification.class, COLLECTION);
    }

    /**
     * Stores the outcome of an attempt made under {@code node}'s claim and releases the claim; false when the claim
     * was lost meanwhile (the lease ran out and another instance took it over).
     */
    boolean record(Notification attempted, String node) {
        Notification released = new Notification(attempted.notificationId(), attempted.channel(), attempted.alertId(),
                attempted.rule(), attempted.severity(), attempted.subject(), attempted.keyId(), attempted.keyPrefix(),
                attempted.detail(), attempted.count(), attempted.repeats(), attempted.firstSeen(), attempted.lastSeen(),
                attempted.queuedAt(), attempted.status(), attempted.attempts(), attempted.nextAttemptAt(),
                attempted.lastAttemptAt(), attempted.deliveredAt(), attempted.lastError(), null, Instant.EPOCH,
                attempted.expireAt());
        return mongo.replace(Query.query(Criteria.where("_id").is(attempted.notificationId()).and(CLAIMED_BY).is(node)),
                released, COLLECTION).getMatchedCount() == 1;
    }

    /** How many messages of {@code channel} are waiting to be sent, retries included. */
    long pendingCount(String channel) {
        return mongo.count(Query.query(Criteria.where("channel").is(channel).and(STATUS)
                .is(Notification.Status.PENDING)), COLLECTION);
    }

    /** Where delivery stands for each of {@code alertIds}, per channel; an alert never notified is absent. */
    public Map<String, Map<String, ChannelDelivery>> deliveriesOf(Collection<String> alertIds) {
        Map<String, Map<String, ChannelDelivery>> deliveries = new HashMap<>();
        mongo.find(Query.query(Criteria.where("alertId").in(alertIds)).with(Sort.by(Sort.Direction.ASC, "queuedAt")),
                        Notification.class, COLLECTION)
                .forEach(n -> deliveries.computeIfAbsent(n.alertId(), id -> new HashMap<>())
                        .merge(n.channel(), ChannelDelivery.of(n), (earlier, later) -> later.after(earlier)));
        return deliveries;
    }
}
