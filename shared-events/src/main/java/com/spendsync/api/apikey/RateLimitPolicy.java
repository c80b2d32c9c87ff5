package com.spendsync.api.apikey;

import java.util.Objects;

/**
 * At most {@code limit} units of cost per {@code windowSeconds}, enforced at verification, under a {@code name} the
 * verify request's {@code costs} refer to. A {@link RateLimitSharing#KEY key} limit has a bucket per key, shared by its
 * secrets; an {@link RateLimitSharing#OWNER owner} limit one bucket per owner, name and definition (limit and window),
 * drawn from by every key of the owner that defines it so. Recorded before limits had names: the one limit, named
 * {@value #DEFAULT}, per key.
 */
public record RateLimitPolicy(String name, int limit, int windowSeconds, RateLimitSharing shared) {

    public static final String DEFAULT = "default";

    public RateLimitPolicy {
        name = Objects.requireNonNullElse(name, DEFAULT);
        shared = Objects.requireNonNullElse(shared, RateLimitSharing.KEY);
    }

    /** The one-limit shorthand: named {@value #DEFAULT}, per key. */
    public RateLimitPolicy(int limit, int windowSeconds) {
        this(DEFAULT, limit, windowSeconds, RateLimitSharing.KEY);
    }

    public boolean ownerWide() {
        return shared == RateLimitSharing.OWNER;
    }

    /** The key's own limit named {@value #DEFAULT}: the one limit 1.0 could hold. */
    public boolean isShorthand() {
        return name.equals(DEFAULT) && !ownerWide();
    }
}
