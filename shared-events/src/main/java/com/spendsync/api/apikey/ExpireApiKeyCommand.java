package com.spendsync.api.apikey;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Records the expiry of a key whose {@code expiresAt} has passed by {@code asOf}; does nothing otherwise. */
public record ExpireApiKeyCommand(@TargetAggregateIdentifier String keyId, Instant asOf) {
}
