package com.spendsync.api.apikey;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.KeyScope;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * A partial update: see {@link Change} for how a field is left, set or cleared. {@code rateLimits} replaces the whole
 * list, {@code defaultRateLimit} (the {@code rateLimit} shorthand) only the limit named default; at most one is set.
 */
public record UpdateApiKeyCommand(
        @TargetAggregateIdentifier String keyId,
        Change<String> name,
        Change<List<String>> permissions,
        Change<KeyScope> scope,
        Change<Map<String, Object>> metadata,
        Change<List<RateLimitPolicy>> rateLimits,
        Change<RateLimitPolicy> defaultRateLimit,
        Change<List<String>> allowedSources,
        Change<Instant> expiresAt,
        Instant requestedAt,
        Authority caller) {
}
