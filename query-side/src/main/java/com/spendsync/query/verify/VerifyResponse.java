package com.spendsync.query.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.spendsync.platform.verification.Verification;
import com.spendsync.platform.verification.VerificationCode;
import java.time.Instant;
import java.util.List;

/** The verify answer: fields that do not apply to the outcome are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record VerifyResponse(boolean valid, VerificationCode code, String keyId, String ownerId, List<String> permissions,
                      Instant expiresAt, Instant rotationGraceUntil, RateLimitState ratelimit,
                      List<NamedRateLimitState> ratelimits) {

    /** The limit named default: the one-limit shorthand. */
    record RateLimitState(int limit, int remaining, long resetSeconds) {
    }

    /** Each of the key's limits; {@code refused} on those that refused the request. */
    record NamedRateLimitState(String name, String shared, int limit, int windowSeconds, int remaining,
                          long resetSeconds, boolean refused) {
    }

    static VerifyResponse of(Verification verification) {
        List<Verification.RateLimitState> states = verification.rateLimits();
        Verification.RateLimitState named = verification.rateLimit();
        RateLimitState shorthand = named == null ? null
                : new RateLimitState(named.limit(), named.remaining(), named.resetSeconds());
        return new VerifyResponse(verification.valid(), verification.code(), verification.keyId(),
                verification.ownerId(), verification.permissions(), verification.expiresAt(),
                verification.rotationGraceUntil(), shorthand, states.isEmpty() ? null : states.stream()
                        .map(state -> new NamedRateLimitState(state.name(), state.ownerWide() ? "owner" : "key",
                                state.limit(), state.windowSeconds(), state.remaining(), state.resetSeconds(),
                                state.refused()))
                        .toList());
    }
}
