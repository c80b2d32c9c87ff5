package com.spendsync.query.audit;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.data.annotation.Id;

/**
 * What the audit view knows of one aggregate: the last event it recorded (to notice a gap in the stream) and, for a
 * key, its owner and environment, which only the key's first event carries. Kept by the audit view itself rather than
 * read from the key view, which another processor fills at its own pace.
 */
record AuditedAggregate(@Id String aggregateId, long lastSequence, String ownerId, String environment) {

    /** The aggregate after {@code event}; {@code known} is null before its first event. */
    static AuditedAggregate after(AuditedAggregate known, DomainEventMessage<?> event) {
        String ownerId = known == null ? null : known.ownerId();
        String environment = known == null ? null : known.environment();
        if (event.getPayload() instanceof ApiKeyCreatedEvent created) {
            ownerId = created.ownerId();
            environment = created.environment().label();
        }
        return new AuditedAggregate(event.getAggregateIdentifier(), event.getSequenceNumber(), ownerId, environment);
    }
}
