package com.spendsync.alerting.delivery;

import java.time.Duration;
import java.time.Instant;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The cool-down of each alert (collection {@code alert_throttle}): when it last notified, and how many raises it has
 * held back since. Like the outbox it outlives a replay, so a rebuild does not reopen a cool-down. Times are the
 * raises' own, so the decision does not depend on how late the projector runs. Deciding twice for the same event
 * (a redelivery after a crash) gives the same answer.
 */
@Component
class Throttle {

    static final String COLLECTION = "alert_throttle";

    private final MongoTemplate mongo;

    Throttle(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** Whether a raise notifies, and how many raises the cool-down held back before it. */
    record Decision(boolean notifies, long heldBack) {
    }

    record State(@Id String alertId, Instant notifiedAt, long heldBack, String lastEventId, Decision lastDecision,
                 long version) {
    }

    Decision decide(String alertId, String eventId, Instant at, Duration cooldown) {
        State state = mongo.findById(alertId, State.class, COLLECTION);
        if (state != null && eventId.equals(state.lastEventId())) {
            return state.lastDecision();
        }
        State next;
        if (state == null || !at.isBefore(state.notifiedAt().plus(cooldown))) {
            Decision notifies = new Decision(true, state == null ? 0 : state.heldBack());
            next = new State(alertId, at, 0, eventId, notifies, state == null ? 0 : state.version() + 1);
        } else {
            next = new State(alertId, state.notifiedAt(), state.heldBack() + 1, eventId, new Decision(false, 0),
                    state.version() + 1);
        }
        if (!save(next, state)) {
            throw new OptimisticLockingFailureException("the cool-down of " + alertId + " changed meanwhile");
        }
        return next.lastDecision();
    }

    private boolean save(State next, State stored) {
        if (stored == null) {
            try {
                mongo.insert(next, COLLECTION);
                return true;
            } catch (DuplicateKeyException e) {
                return false;
            }
        }
        return mongo.replace(Query.query(Criteria.where("_id").is(next.alertId()).and("version").is(stored.version())),
                next, COLLECTION).getMatchedCount() == 1;
    }
}
