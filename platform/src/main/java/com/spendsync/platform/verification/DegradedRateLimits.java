package com.spendsync.platform.verification;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.spendsync.api.apikey.RateLimitPolicy;
import java.time.Clock;

/**
 * The rate limits verification keeps in this process while Redis is unreachable, so an outage is not a burst window:
 * one GCRA bucket per key with the key's policy, dropped once it is full again. Each process counts on its own, so
 * during an outage n processes admit at most n times a key's limit.
 */
final class DegradedRateLimits {

    private static final long MAX_KEYS = 100_000;

    private final Clock clock;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(MAX_KEYS)
            .expireAfter(new Expiry<String, Bucket>() {
                @Override
                public long expireAfterCreate(String keyId, Bucket bucket, long now) {
                    return bucket.windowNanos();
                }

                @Override
                public long expireAfterUpdate(String keyId, Bucket bucket, long now, long remaining) {
                    return bucket.windowNanos();
                }

                @Override
                public long expireAfterRead(String keyId, Bucket bucket, long now, long remaining) {
                    return bucket.windowNanos();
                }
            })
            .build();

    DegradedRateLimits(Clock clock) {
        this.clock = clock;
    }

    /** Spends {@code cost} of the key's limit for a verification decided VALID, which may become RATE_LIMITED. */
    Verification spend(Verification valid, RateLimitPolicy policy, int cost) {
        Bucket bucket = buckets.asMap().compute(valid.keyId(), (keyId, known) ->
                known != null && known.policy().equals(policy) ? known : new Bucket(policy, clock.millis()));
        Verification.RateLimitState state = bucket.spend(cost, clock.millis());
        VerificationCode code = state.retryAfterSeconds() == null ? VerificationCode.VALID
                : VerificationCode.RATE_LIMITED;
        return new Verification(code, valid.keyId(), valid.ownerId(), valid.permissions(), valid.scope(),
                valid.expiresAt(), valid.rotationGraceUntil(), state);
    }

    /**
     * GCRA in exact integers: time in units of 1/limit ms, so one unit of cost takes the window's length in ms and
     * the whole limit takes the window. {@code debt} is how far the theoretical arrival time is ahead of {@code at}.
     */
    private static final class Bucket {
        private final RateLimitPolicy policy;
        private final long windowMs;
        private final long capacity;
        private long at;
        private long debt;

        Bucket(RateLimitPolicy policy, long nowMs) {
            this.policy = policy;
            this.windowMs = policy.windowSeconds() * 1000L;
            this.capacity = windowMs * policy.limit();
            this.at = nowMs;
        }

        RateLimitPolicy policy() {
            return policy;
        }

        long windowNanos() {
            return windowMs * 1_000_000L;
        }

        synchronized Verification.RateLimitState spend(int cost, long nowMs) {
            long elapsed = Math.max(0, nowMs - at);
            debt = elapsed >= windowMs ? 0 : Math.max(0, debt - elapsed * policy.limit());
            at = Math.max(at, nowMs);
            long wanted = debt + cost * windowMs;
            if (wanted > capacity) {
                return new Verification.RateLimitState(policy.limit(), policy.windowSeconds(),
                        (int) ((capacity - debt) / windowMs), secondsUp(debt), secondsUp(wanted - capacity));
            }
            debt = wanted;
            return new Verification.RateLimitState(policy.limit(), policy.windowSeconds(),
                    (int) ((capacity - debt) / windowMs), secondsUp(debt), null);
        }

        /** Units of 1/limit ms, rounded up to whole seconds, as the verify script's reply is. */
        private long secondsUp(long units) {
            long millis = (units + policy.limit() - 1) / policy.limit();
            return (millis + 999) / 1000;
        }
    }
}
