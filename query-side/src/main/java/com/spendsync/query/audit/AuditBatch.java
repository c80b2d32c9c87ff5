package com.spendsync.query.audit;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one batch of events adds to the audit view, written in two bulk writes as the batch commits rather than in
 * several round trips per event. An aggregate's progress is looked up here first: a batch may hold several of its
 * events.
 */
final class AuditBatch {

    private final Map<String, AuditEntry> entries = new LinkedHashMap<>();
    private final Map<String, AuditedAggregate> aggregates = new LinkedHashMap<>();

    void add(AuditEntry entry) {
        entries.put(entry.eventId(), entry);
    }

    void add(AuditEntry entry, AuditedAggregate aggregate) {
        add(entry);
        aggregates.put(aggregate.aggregateId(), aggregate);
    }

    /** The aggregate as this batch left it; null if the batch has none of its events. */
    AuditedAggregate aggregate(String aggregateId) {
        return aggregates.get(aggregateId);
    }

    Collection<AuditEntry> entries() {
        return entries.values();
    }

    Collection<AuditedAggregate> aggregates() {
        return aggregates.values();
    }
}
