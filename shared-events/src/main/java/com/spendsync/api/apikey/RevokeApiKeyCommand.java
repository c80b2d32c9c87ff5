package com.spendsync.api.apikey;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RevokeApiKeyCommand(@TargetAggregateIdentifier String keyId, String reason, Instant requestedAt) {
}
