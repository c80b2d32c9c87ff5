package com.spendsync.api.audit;

import java.time.Instant;

/**
 * The events a store kept before SpendSync chained its events were chained and sealed, once: a fact of the service
 * that did it. {@code streamsLeftUnchained} counts streams whose older events stay unchained because later ones were
 * chained already.
 */
public record AuditTrailChainedEvent(long eventsChained, long streams, int seals, long streamsLeftUnchained,
                                     Instant chainedAt) {
}
