package com.spendsync.platform.verification;

import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.authority.KeyScope;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of checking one secret. Fields other than {@code code} are null where they do not apply; {@code scope}
 * is the verified key's own scope (null: unscoped), which a management credential acts within.
 */
public record Verification(
        VerificationCode code,
        String keyId,
        String ownerId,
        List<String> permissions,
        KeyScope scope,
        Instant expiresAt,
        Instant rotationGraceUntil,
        List<RateLimitState> rateLimits) {

    public Verification {
        rateLimits = rateLimits == null ? List.of() : rateLimits;
    }

    /**
     * Where one of the key's limits stands after this verification: {@code refused} when it is the one (or one of
     * those) that refused it, then {@code retryAfterSeconds} is when it would admit the cost, null if never.
     */
    public record RateLimitState(String name, boolean ownerWide, int limit, int windowSeconds, int remaining,
                                 long resetSeconds, boolean refused, Long retryAfterSeconds) {
    }

    public static Verification of(VerificationCode code) {
        return new Verification(code, null, null, null, null, null, null, List.of());
    }

    /** The same outcome with another code and the limits' states after the limits were applied. */
    public Verification limited(VerificationCode newCode, List<RateLimitState> states) {
        return new Verification(newCode, keyId, ownerId, permissions, scope, expiresAt, rotationGraceUntil, states);
    }

    /** The state of the limit named default (the one-limit shorthand), or null. */
    public RateLimitState rateLimit() {
        return rateLimits.stream().filter(state -> state.name().equals(RateLimitPolicy.DEFAULT)).findFirst()
                .orElse(null);
    }

    public boolean valid() {
        return code == VerificationCode.VALID;
    }
}
