package com.spendsync.api.apikey;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A new key, asked for by {@code caller}, whose authority the aggregate checks before anything is recorded. */
public record CreateApiKeyCommand(
        @TargetAggregateIdentifier String keyId,
        KeyHash keyHash,
        String prefix,
        KeyEnvironment environment,
        String ownerId,
        String name,
        List<String> permissions,
        KeyScope scope,
        Instant expiresAt,
        List<RateLimitPolicy> rateLimits,
        List<String> allowedSources,
        Map<String, Object> metadata,
        Instant requestedAt,
        Authority caller) {
}
