package com.spendsync.query.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Checked filters of the audit view; null means "any". {@code from} and {@code to} both include their instant. */
record AuditFilter(String userId, String actor, String eventType, AuditSeverity severity, String resourceType,
                   String resourceId, Instant from, Instant to) {

    /** The filters an entry's field of the same name must equal, by that name; absent filters are left out. */
    Map<String, Object> equalities() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("userId", userId);
        fields.put("actor", actor);
        fields.put("eventType", eventType);
        fields.put("severity", severity == null ? null : severity.name());
        fields.put("resourceType", resourceType);
        fields.put("resourceId", resourceId);
        fields.values().removeIf(Objects::isNull);
        return fields;
    }
}
