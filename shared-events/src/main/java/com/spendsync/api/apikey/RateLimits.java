package com.spendsync.api.apikey;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The rules of a key's list of named rate limits. */
public final class RateLimits {

    public static final int MAX = 10;
    /** The largest limit, and the largest cost of one verification for one limit. */
    public static final int MAX_LIMIT = 1_000_000;
    /** No spaces or slashes: the Redis entry and the bucket names use them as separators. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,32}");
    public static final String NAME_RULE = "1 to 32 characters of a-z 0-9 _ . -";
    /** Reserved for the key's credits in the verify request's {@code costs} (issue 14, item 2: not built yet). */
    public static final String CREDITS = "credits";

    private RateLimits() {
    }

    /** The limits as recorded: none for null. */
    public static List<RateLimitPolicy> of(List<RateLimitPolicy> limits) {
        return limits == null ? List.of() : List.copyOf(limits);
    }

    /** The limit named {@value RateLimitPolicy#DEFAULT}, the one the {@code rateLimit} shorthand shows; or null. */
    public static RateLimitPolicy defaultOf(List<RateLimitPolicy> limits) {
        return limits.stream().filter(limit -> limit.name().equals(RateLimitPolicy.DEFAULT)).findFirst().orElse(null);
    }

    /**
     * The limits with the {@value RateLimitPolicy#DEFAULT} one set to {@code policy} (in its place, or first when
     * there was none), or removed when {@code policy} is null: what the {@code rateLimit} shorthand changes.
     */
    public static List<RateLimitPolicy> withDefault(List<RateLimitPolicy> limits, RateLimitPolicy policy) {
        List<RateLimitPolicy> changed = new ArrayList<>();
        boolean placed = false;
        for (RateLimitPolicy limit : limits) {
            if (!limit.name().equals(RateLimitPolicy.DEFAULT)) {
                changed.add(limit);
            } else if (policy != null) {
                changed.add(policy);
                placed = true;
            }
        }
        if (policy != null && !placed) {
            changed.add(0, policy);
        }
        return List.copyOf(changed);
    }
}
