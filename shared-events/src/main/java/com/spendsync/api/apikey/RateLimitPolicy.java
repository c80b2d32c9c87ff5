package com.spendsync.api.apikey;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * At most {@code limit} units of cost per {@code windowSeconds}, enforced at verification, under a {@code name} the
 * verify request's {@code costs} refer to. A {@link RateLimitSharing#KEY key} limit has a bucket per key, shared by its
 * secrets; an {@link RateLimitSharing#OWNER owner} limit one bucket per owner and name, drawn from by every key of the
 * owner that names it. Recorded before limits had names: the one limit, named {@value #DEFAULT}, per key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
}
