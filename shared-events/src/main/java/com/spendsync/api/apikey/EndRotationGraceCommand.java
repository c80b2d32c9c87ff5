package com.spendsync.api.apikey;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Records the end of a previous secret's grace period once it has passed by {@code asOf}; does nothing otherwise. */
public record EndRotationGraceCommand(@TargetAggregateIdentifier String keyId, Instant asOf) {
}
