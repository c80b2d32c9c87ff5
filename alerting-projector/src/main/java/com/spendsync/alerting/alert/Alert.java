package com.spendsync.alerting.alert;

import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.annotation.Id;

/**
 * One open alert per rule and subject. {@code countedEventIds} holds the latest events that raised it, so an event
 * delivered again (a retried batch, a segment changing hands) is not counted twice; {@code version} guards against
 * two writers. {@code ownerId} and {@code environment} are those of the key concerned, so that a scoped or test root
 * key reads only the alerts about its keys (null for an alert about a source). How its messages fared is kept apart, in the outbox, which a rebuild of the alerts leaves alone.
 */
public record Alert(
        @Id String alertId,
        String rule,
        Severity severity,
        String subject,
        String keyId,
        String keyPrefix,
        String detail,
        Instant firstSeen,
        Instant lastSeen,
        long count,
        String lastEventId,
        List<String> countedEventIds,
        long version,
        String ownerId,
        KeyEnvironment environment) {

    /** Redelivery only ever repeats recent events, so the latest raises are enough to recognise one. */
    static final int COUNTED_EVENTS_KEPT = 100;

    static Alert first(Raise raise) {
        return new Alert(raise.alertId(), raise.rule(), raise.severity(), raise.subject(), raise.keyId(),
                raise.keyPrefix(), raise.detail(), raise.at(), raise.at(), 1,
                raise.eventId(), List.of(raise.eventId()), 0, raise.ownerId(), raise.environment());
    }

    boolean counted(String eventId) {
        return countedEventIds.contains(eventId);
    }

    Alert raisedAgain(Raise raise) {
        List<String> counted = new ArrayList<>(countedEventIds);
        counted.add(raise.eventId());
        List<String> kept = counted.subList(Math.max(0, counted.size() - COUNTED_EVENTS_KEPT), counted.size());
        String latestPrefix = raise.keyPrefix() != null ? raise.keyPrefix() : keyPrefix;
        return new Alert(alertId, rule, severity, subject, keyId, latestPrefix,
                raise.detail(), min(firstSeen, raise.at()), max(lastSeen, raise.at()),
                count + 1, raise.eventId(), List.copyOf(kept), version + 1,
                raise.ownerId() != null ? raise.ownerId() : ownerId,
                raise.environment() != null ? raise.environment() : environment);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
