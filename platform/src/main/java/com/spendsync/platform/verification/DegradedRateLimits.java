package com.spendsync.platform.verification;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.spendsync.api.apikey.RateLimitPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The rate limits verification keeps in this process while Redis is unreachable, so an outage is not a burst window:
 * one GCRA bucket per key and limit (per owner, limit and definition for one the owner's keys share) with the
 * limit's policy,
 * dropped once it is full again; all or nothing, as the verify script charges. Each process counts on its own, so
 * during an outage n processes admit at most n times a limit.
 */
final class DegradedRateLimits {

    private static final long MAX_BUCKETS = 100_000;

    private final Clock clock;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(MAX_BUCKETS)
            .expireAfter(new Expiry<String, Bucket>() {
                @Override
                public long expireAfterCreate(String name, Bucket bucket, long now) {
                    return bucket.windowNanos();
                }

                @Override
                public long expireAfterUpdate(String name, Bucket bucket, long now, long remaining) {
                    return bucket.windowNanos();
                }

                @Override
                public long expireAfterRead(String name, Bucket bucket, long now, long remaining) {
                    return bucket.windowNanos();
                }
            })
            .build();

    DegradedRateLimits(Clock clock) {
        this.clock = clock;
    }

    /**
     * Charges each limit its cost ({@code costs}, 1 for a limit not named) for a verification decided VALID, which
     * becomes RATE_LIMITED, with nothing charged, if any limit refuses. The buckets of one verification are locked
     * together, in the order of their names, so verifications sharing a bucket never interleave and none waits on a
     * bucket it does not use.
     */
    Verification spend(Verification valid, List<RateLimitPolicy> limits, Map<String, Integer> costs) {
        long now = clock.millis();
        List<Bucket> used = new ArrayList<>();
        for (RateLimitPolicy limit : limits) {
            String name = ValidationViewKeys.bucketField(valid.keyId(), valid.ownerId(), limit);
            used.add(buckets.asMap().compute(name, (key, known) ->
                    known != null && known.policy().equals(limit) ? known : new Bucket(key, limit, now)));
        }
        List<Bucket> lockOrder = used.stream().sorted(Comparator.comparing(Bucket::name)).toList();
        lockOrder.forEach(bucket -> bucket.lock.lock());
        try {
            return decide(valid, used, costs, now);
        } finally {
            lockOrder.forEach(bucket -> bucket.lock.unlock());
        }
    }

    private static Verification decide(Verification valid, List<Bucket> used, Map<String, Integer> costs, long now) {
        List<Long> wanted = new ArrayList<>();
        boolean refused = false;
        for (Bucket bucket : used) {
            long after = bucket.settle(now) + costs.getOrDefault(bucket.policy.name(), 1) * bucket.windowMs;
            refused |= after > bucket.capacity;
            wanted.add(after);
        }
        List<Verification.RateLimitState> states = new ArrayList<>();
        for (int i = 0; i < used.size(); i++) {
            Bucket bucket = used.get(i);
            long before = bucket.debt;
            long after = wanted.get(i);
            boolean over = after > bucket.capacity;
            if (!refused) {
                bucket.debt = after;
            }
            long standing = refused ? before : after;
            // a cost above the whole limit never fits: no time to wait for, so no retry
            boolean fits = after - before <= bucket.capacity;
            states.add(new Verification.RateLimitState(bucket.policy.name(), bucket.policy.ownerWide(),
                    bucket.policy.limit(), bucket.policy.windowSeconds(),
                    (int) Math.max(0, (bucket.capacity - standing) / bucket.windowMs), bucket.secondsUp(standing),
                    over, over && fits ? Long.valueOf(bucket.secondsUp(after - bucket.capacity)) : null));
        }
        return valid.limited(refused ? VerificationCode.RATE_LIMITED : VerificationCode.VALID, states);
    }

    /**
     * GCRA in exact integers: time in units of 1/limit ms, so one unit of cost takes the window's length in ms and
     * the whole limit takes the window. {@code debt} is how far the theoretical arrival time is ahead of {@code at}.
     */
    private static final class Bucket {
        private final ReentrantLock lock = new ReentrantLock();
        private final String name;
        private final RateLimitPolicy policy;
        private final long windowMs;
        private final long capacity;
        private long at;
        private long debt;

        Bucket(String name, RateLimitPolicy policy, long nowMs) {
            this.name = name;
            this.policy = policy;
            this.windowMs = policy.windowSeconds() * 1000L;
            this.capacity = windowMs * policy.limit();
            this.at = nowMs;
        }

        String name() {
            return name;
        }

        RateLimitPolicy policy() {
            return policy;
        }

        long windowNanos() {
            return windowMs * 1_000_000L;
        }

        /** The debt as it stands at {@code nowMs}, time having paid some of it back. */
        long settle(long nowMs) {
            long elapsed = Math.max(0, nowMs - at);
            debt = elapsed >= windowMs ? 0 : Math.max(0, debt - elapsed * policy.limit());
            at = Math.max(at, nowMs);
            return debt;
        }

        /** Units of 1/limit ms, rounded up to whole seconds, as the verify script's reply is. */
        long secondsUp(long units) {
            long millis = (units + policy.limit() - 1) / policy.limit();
            return (millis + 999) / 1000;
        }
    }
}
