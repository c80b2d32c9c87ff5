package com.spendsync.api.apikey;

/** At most {@code limit} units of cost per {@code windowSeconds}, enforced per secret at verification. */
public record RateLimitPolicy(int limit, int windowSeconds) {
}
