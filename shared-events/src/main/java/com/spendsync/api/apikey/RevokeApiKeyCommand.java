package com.spendsync.api.apikey;

import com.spendsync.api.authority.Authority;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RevokeApiKeyCommand(@TargetAggregateIdentifier String keyId, String reason, Instant requestedAt,
                                  Authority caller) {
}
