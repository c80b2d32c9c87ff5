package com.spendsync.alerting.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.aggregation.Aggregation;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * The notifications still to send and those sent (collection {@code alert_outbox} of the key database), the latter for
 * as long as the audit view keeps its entries. It is not a view: a replay of the alerting projection leaves it alone,
 * so nothing sent is sent again and nothing queued is lost. Instances share it by leases: an atomic find-and-modify
 * claims one notification at a time.
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
        // MongoDB (and the embedded server's TTL sweep) drops finished messages after the audit retention
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("expireAt", Sort.Direction.ASC)
                .expire(Duration.ZERO));
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

    /**
     * Claims the most overdue notification of {@code channel} until {@code until}, if any, under {@code claim}: a
     * name no other sender uses, so that each sender knows its own claims, even on the same instance.
     */
    Notification claimNext(String channel, String claim, Instant now, Instant until) {
        Query due = Query.query(Criteria.where("channel").is(channel).and(STATUS).is(Notification.Status.PENDING)
                        .and(NEXT_ATTEMPT_AT).lte(now).and(CLAIMED_UNTIL).lte(now))
                .with(Sort.by(Sort.Direction.ASC, NEXT_ATTEMPT_AT));
        return mongo.findAndModify(due, new Update().set(CLAIMED_BY, claim).set(CLAIMED_UNTIL, until),
                FindAndModifyOptions.options().returnNew(true), Notification.class, COLLECTION);
    }

    /**
     * Stores the outcome of an attempt made under the notification's claim and releases the claim; false when the
     * claim was lost meanwhile (the lease ran out and another sender took it over).
     */
    boolean record(Notification attempted) {
        return mongo.replace(Query.query(Criteria.where("_id").is(attempted.notificationId())
                .and(CLAIMED_BY).is(attempted.claimedBy())), attempted.released(), COLLECTION).getMatchedCount() == 1;
    }

    /** How many messages of {@code channel} are waiting to be sent, retries included. */
    long pendingCount(String channel) {
        return mongo.count(Query.query(Criteria.where("channel").is(channel).and(STATUS)
                .is(Notification.Status.PENDING)), COLLECTION);
    }

    /**
     * Where delivery stands for each of {@code alertIds}, per channel: the latest message and how many there were,
     * grouped in the database, so an alert that notified for months costs one result row per channel.
     */
    public Map<String, Map<String, ChannelDelivery>> deliveriesOf(Collection<String> alertIds) {
        Aggregation latestPerChannel = Aggregation.newAggregation(
                Aggregation.match(Criteria.where("alertId").in(alertIds)),
                Aggregation.sort(Sort.Direction.ASC, "queuedAt"),
                Aggregation.group("alertId", "channel").count().as("notifications")
                        .last(STATUS).as(STATUS).last("attempts").as("attempts")
                        .last("lastAttemptAt").as("lastAttemptAt").last("deliveredAt").as("deliveredAt")
                        .last("lastError").as("lastError"));
        Map<String, Map<String, ChannelDelivery>> deliveries = new HashMap<>();
        for (Document row : mongo.aggregate(latestPerChannel, COLLECTION, Document.class)) {
            Document group = row.get("_id", Document.class);
            deliveries.computeIfAbsent(group.getString("alertId"), id -> new HashMap<>()).put(
                    group.getString("channel"), new ChannelDelivery(
                            row.getString(STATUS).toLowerCase(Locale.ROOT), ((Number) row.get("notifications"))
                            .longValue(), ((Number) row.get("attempts")).intValue(), instant(row, "lastAttemptAt"),
                            instant(row, "deliveredAt"), row.getString("lastError")));
        }
        return deliveries;
    }

    private static Instant instant(Document row, String field) {
        Date date = row.getDate(field);
        return date == null ? null : date.toInstant();
    }
}
