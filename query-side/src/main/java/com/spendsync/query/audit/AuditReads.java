package com.spendsync.query.audit;

import static com.spendsync.platform.axon.AxonMongoConfiguration.ACTOR;
import static com.spendsync.platform.axon.AxonMongoConfiguration.SOURCE;

import com.spendsync.api.audit.AuditLogReadEvent;
import com.spendsync.platform.auth.Caller;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.springframework.stereotype.Component;

/**
 * Records a read of the audit trail in the trail itself, as an {@link AuditLogReadEvent} naming the reader's key as
 * actor: a fact of no aggregate, so it goes through Axon's {@link EventGateway} into the same store.
 */
@Component
public class AuditReads {

    private final EventGateway events;
    private final Clock clock;

    AuditReads(EventGateway events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /**
     * @param filters the filters the reader gave, by name
     * @param format  what was read: an export format, a check; null for a listing
     */
    public void record(Map<String, String> filters, String format, Caller caller) {
        AuditLogReadEvent read = new AuditLogReadEvent(UUID.randomUUID().toString(), filters, format, clock.instant());
        events.publish(GenericEventMessage.asEventMessage(read)
                .andMetaData(Map.of(ACTOR, caller.keyId(), SOURCE, caller.source())));
    }
}
