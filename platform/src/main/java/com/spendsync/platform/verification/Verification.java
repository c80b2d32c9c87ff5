package com.spendsync.platform.verification;

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
        RateLimitState rateLimit) {

    /** Where the key's rate limit stands after this verification; {@code retryAfterSeconds} is set when limited. */
    public record RateLimitState(int limit, int windowSeconds, int remaining, long resetSeconds,
                                 Long retryAfterSeconds) {
    }

    public static Verification of(VerificationCode code) {
        return new Verification(code, null, null, null, null, null, null, null);
    }

    public boolean valid() {
        return code == VerificationCode.VALID;
    }
}
