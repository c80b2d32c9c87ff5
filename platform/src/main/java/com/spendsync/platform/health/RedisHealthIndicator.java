package com.spendsync.platform.health;

import com.spendsync.platform.verification.KeyVerifier;
import com.spendsync.platform.verification.VerificationFallback;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Redis health by {@code PING}, in place of Boot's. A process that can verify from the MongoDB key view keeps
 * serving while Redis is unreachable, so there the outage is DEGRADED (ranked below UP, so the status anyone sees
 * stays UP), not DOWN; a process that cannot is DOWN. While verification already knows Redis is unreachable, the
 * check says so at once rather than wait out a command timeout.
 */
@Component("redisHealthIndicator")
class RedisHealthIndicator extends AbstractHealthIndicator {

    static final String DEGRADED = "DEGRADED";

    private final StringRedisTemplate redis;
    private final KeyVerifier verifier;
    private final boolean verifiesWithoutRedis;

    RedisHealthIndicator(StringRedisTemplate redis, KeyVerifier verifier,
                         ObjectProvider<VerificationFallback> fallback) {
        this.redis = redis;
        this.verifier = verifier;
        this.verifiesWithoutRedis = fallback.getIfAvailable() != null;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (verifier.degraded()) {
            degraded(builder, "verification found it unreachable");
            return;
        }
        try {
            builder.up().withDetail("ping", redis.execute((RedisCallback<String>) connection -> connection.ping()));
        } catch (RuntimeException unreachable) {
            if (!verifiesWithoutRedis) {
                throw unreachable;
            }
            degraded(builder, unreachable.getClass().getSimpleName());
        }
    }

    private static void degraded(Health.Builder builder, String error) {
        builder.status(DEGRADED).withDetail("error", error).withDetail("verification", "from the MongoDB key view");
    }
}
