package com.spendsync.api.apikey;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A new key; {@code scope} is null for a key that acts on every owner (and for keys without management power);
 * {@code allowedSources} (canonical blocks, {@link AllowedSources}) null or empty for a key usable from anywhere.
 */
public record ApiKeyCreatedEvent(
        String keyId,
        KeyHash keyHash,
        String prefix,
        KeyEnvironment environment,
        String ownerId,
        String name,
        List<String> permissions,
        KeyScope scope,
        Instant expiresAt,
        RateLimitPolicy rateLimit,
        List<String> allowedSources,
        Map<String, Object> metadata,
        Instant createdAt) implements ApiKeyEvent {

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.created(this);
    }
}
