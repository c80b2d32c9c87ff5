package com.spendsync.alerting.rules;

import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;

/**
 * Events of one alert subject are handled in order by one segment, so the read-then-write of a window, a key's state
 * or an alert never races another segment: everything about a key (its own events, keyed by its id as aggregate,
 * its refusals and its expiry warnings) by the key's id. The refusals the brute-force rule counts all go in one
 * sequence, since its total across sources counts every one of them: handled in order, the total sums in a rebuild
 * as it did the first time. They are few events, one per kind and source per flush interval.
 */
final class AlertingSequencing implements SequencingPolicy<EventMessage<?>> {

    private static final String BRUTE_FORCE_REFUSALS = "refusals:" + RefusalRule.BRUTE_FORCE;

    @Override
    public Object getSequenceIdentifierFor(EventMessage<?> event) {
        Object payload = event.getPayload();
        if (payload instanceof AccessFailuresObservedEvent failures) {
            return RefusalRule.BRUTE_FORCE_KINDS.contains(failures.kind()) ? BRUTE_FORCE_REFUSALS : failures.keyId();
        }
        if (payload instanceof KeyExpiryApproachingEvent approaching) {
            return approaching.keyId();
        }
        return SequentialPerAggregatePolicy.instance().getSequenceIdentifierFor(event);
    }
}
