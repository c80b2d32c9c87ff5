package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.Severity;
import java.time.Instant;
import org.springframework.data.annotation.Id;

/**
 * One message about one alert for one channel: an entry of the outbox. Its id is the triggering event's id and the
 * channel, so queueing it again after a crash finds it queued. It holds everything the message says, so sending it
 * needs no other read, and nothing secret: the key is named by its id and its public prefix only.
 *
 * @param count        how many times the alert was raised in all, this raise included
 * @param repeats      raises since the previous message about this alert, held back by the cool-down
 * @param claimedUntil until when the instance {@code claimedBy} may send it; the epoch when unclaimed
 * @param expireAt     when MongoDB may drop it (a TTL index): the audit retention after it was delivered or given
 *                     up on; null while it is pending
 */
public record Notification(
        @Id String notificationId,
        String channel,
        String alertId,
        String rule,
        Severity severity,
        String subject,
        String keyId,
        String keyPrefix,
        String detail,
        long count,
        long repeats,
        Instant firstSeen,
        Instant lastSeen,
        Instant queuedAt,
        Status status,
        int attempts,
        Instant nextAttemptAt,
        Instant lastAttemptAt,
        Instant deliveredAt,
        String lastError,
        String claimedBy,
        Instant claimedUntil,
        Instant expireAt) {

    public enum Status {
        PENDING, DELIVERED, FAILED
    }

    static String idOf(String eventId, String channel) {
        return eventId + ":" + channel;
    }

    /** The same message after an attempt, still claimed. */
    Notification attempted(Status outcome, int attemptsMade, Instant nextAttempt, Instant attemptedAt,
                           Instant delivered, String error, Instant expiry) {
        return new Notification(notificationId, channel, alertId, rule, severity, subject, keyId, keyPrefix, detail,
                count, repeats, firstSeen, lastSeen, queuedAt, outcome, attemptsMade, nextAttempt, attemptedAt,
                delivered, error, claimedBy, claimedUntil, expiry);
    }

    /** The same message with no claim on it. */
    Notification released() {
        return new Notification(notificationId, channel, alertId, rule, severity, subject, keyId, keyPrefix, detail,
                count, repeats, firstSeen, lastSeen, queuedAt, status, attempts, nextAttemptAt, lastAttemptAt,
                deliveredAt, lastError, null, Instant.EPOCH, expireAt);
    }
}
