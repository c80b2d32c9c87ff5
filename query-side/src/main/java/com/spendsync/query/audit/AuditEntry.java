package com.spendsync.query.audit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Map;
import org.springframework.data.annotation.Id;

/**
 * One event as the audit view keeps it, in the seed's audit schema. {@code metadata} is the event's data without
 * secret hashes and with masked fields shown as {@code ***}. {@code sequence} is the event's place in its aggregate's
 * history (null for an event of no aggregate), and {@code expireAt} is when the view lets the entry go.
 */
record AuditEntry(
        @Id String eventId,
        String eventType,
        AuditSeverity severity,
        String userId,
        String actor,
        String resourceType,
        String resourceId,
        Instant timestamp,
        Map<String, Object> metadata,
        String service,
        String environment,
        @JsonIgnore Long sequence,
        @JsonIgnore Instant expireAt) {
}
