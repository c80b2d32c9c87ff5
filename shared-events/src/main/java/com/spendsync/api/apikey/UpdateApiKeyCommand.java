package com.spendsync.api.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A partial update: see {@link Change} for how a field is left, set or cleared. */
public record UpdateApiKeyCommand(
        @TargetAggregateIdentifier String keyId,
        Change<String> name,
        Change<List<String>> permissions,
        Change<Map<String, Object>> metadata,
        Change<RateLimitPolicy> rateLimit,
        Change<Instant> expiresAt,
        Instant requestedAt) {
}
