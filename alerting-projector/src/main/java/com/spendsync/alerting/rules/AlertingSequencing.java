package com.spendsync.alerting.rules;

import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;

/**
 * Events of one alert subject are handled in order by one segment, so the read-then-write of a window, a key's state
 * or an alert never races another segment: everything about a key (its own events, keyed by its id as aggregate,
 * its refusals and its expiry warnings) by the key's id, refusals of no key by their source.
 */
final class AlertingSequencing implements SequencingPolicy<EventMessage<?>> {

    @Override
    public Object getSequenceIdentifierFor(EventMessage<?> event) {
        Object payload = event.getPayload();
        if (payload instanceof AccessFailuresObservedEvent failures) {
            return failures.keyId() != null ? failures.keyId() : "source:" + failures.source();
        }
        if (payload instanceof KeyExpiryApproachingEvent approaching) {
            return approaching.keyId();
        }
        return SequentialPerAggregatePolicy.instance().getSequenceIdentifierFor(event);
    }
}
