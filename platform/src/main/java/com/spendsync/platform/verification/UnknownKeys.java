package com.spendsync.platform.verification;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.spendsync.api.keyformat.KeyHash;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Secrets that neither Redis nor the MongoDB key view knew, remembered for {@link #TTL} so a flood of well-formed
 * unknown keys (the checksum is public: they are free to make) costs one Redis miss each, not a MongoDB lookup too.
 * Consulted only after Redis missed, so a secret Redis knows is never refused by it. A secret this process creates
 * or rotates to is announced and never remembered for a TTL after; a secret created by another process can be
 * refused by this one for at most {@link #TTL} after it reached the MongoDB view and before it reached Redis.
 * Metrics: {@code cache.gets{cache=unknown-keys,result=hit|miss}}, {@code cache.size}, {@code cache.evictions}.
 */
@Component
public class UnknownKeys {

    static final Duration TTL = Duration.ofSeconds(5);
    private static final long MAX_SECRETS = 100_000;

    private final Cache<KeyHash, Boolean> unknown = Caffeine.newBuilder()
            .maximumSize(MAX_SECRETS).expireAfterWrite(TTL).recordStats().build();
    private final Cache<KeyHash, Boolean> announced = Caffeine.newBuilder()
            .maximumSize(MAX_SECRETS).expireAfterWrite(TTL).build();

    public UnknownKeys(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, unknown, "unknown-keys");
    }

    boolean known(KeyHash secret) {
        return unknown.getIfPresent(secret) != null;
    }

    void remember(KeyHash secret) {
        if (announced.getIfPresent(secret) == null) {
            unknown.put(secret, Boolean.TRUE);
        }
    }

    /**
     * A secret Redis just knew: no longer unknown, even if it was remembered a moment ago because its view entries
     * had not yet reached this process (a key another process created), so a Redis outage right after does not
     * refuse it. A map removal: no lookup counted in the cache's metrics.
     */
    void found(KeyHash secret) {
        unknown.asMap().remove(secret);
    }

    /**
     * A secret that is about to reach the views: forgotten as unknown, and not remembered as unknown for a TTL, so a
     * lookup that raced ahead of its view entries does not hide it either.
     */
    public void announce(KeyHash secret) {
        announced.put(secret, Boolean.TRUE);
        unknown.invalidate(secret);
    }
}
