package com.spendsync.query.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.spendsync.platform.verification.Verification;
import com.spendsync.platform.verification.VerificationCode;
import java.time.Instant;
import java.util.List;

/** The verify answer: fields that do not apply to the outcome are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record VerifyResponse(boolean valid, VerificationCode code, String keyId, String ownerId, List<String> permissions,
                      Instant expiresAt, Instant rotationGraceUntil, RateLimit ratelimit) {

    record RateLimit(int limit, int remaining, long resetSeconds) {
    }

    static VerifyResponse of(Verification verification) {
        Verification.RateLimitState state = verification.rateLimit();
        return new VerifyResponse(verification.valid(), verification.code(), verification.keyId(),
                verification.ownerId(), verification.permissions(), verification.expiresAt(),
                verification.rotationGraceUntil(),
                state == null ? null : new RateLimit(state.limit(), state.remaining(), state.resetSeconds()));
    }
}
