package com.spendsync.api.audit;

import java.time.Instant;
import java.util.Map;

/**
 * Someone read the audit trail: a fact of the query side, not of any aggregate. {@code filters} holds the filters
 * the reader gave, by name; {@code format} is the export format, null for a listing.
 */
public record AuditLogReadEvent(String readId, Map<String, String> filters, String format, Instant readAt) {
}
