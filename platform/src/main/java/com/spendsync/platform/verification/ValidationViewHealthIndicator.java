package com.spendsync.platform.verification;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/** Says whether verification answers from Redis or, degraded, from the MongoDB key view. */
@Component("verificationHealthIndicator")
class ValidationViewHealthIndicator extends AbstractHealthIndicator {

    static final String DEGRADED = "DEGRADED";

    private final KeyVerifier verifier;

    ValidationViewHealthIndicator(KeyVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (verifier.degraded()) {
            builder.status(DEGRADED).withDetail("source", "mongodb-key-view")
                    .withDetail("note", "Redis unreachable: rate limits per process, no usage counts until it is back");
        } else {
            builder.up().withDetail("source", "redis");
        }
        if (verifier.lastFallbackAt() != null) {
            builder.withDetail("lastFallbackAt", verifier.lastFallbackAt().toString());
        }
    }
}
