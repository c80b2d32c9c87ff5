package com.spendsync.platform.verification;

import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.authority.KeyScope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What the validation view holds for one secret, as another store knows it, with the sequence number of the last
 * event it reflects.
 */
public record SecretEntry(String keyId, String ownerId, String status, List<String> permissions, KeyScope scope,
                          Instant expiresAt, Instant graceUntil, Instant revokedAt,
                          List<RateLimitPolicy> rateLimits,
                          List<String> allowedSources, long sequence) {

    public SecretEntry {
        rateLimits = rateLimits == null ? List.of() : rateLimits;
    }

    /**
     * How long Redis keeps the entry: until {@code retention} after the secret stopped working (its grace end, the
     * key's revocation or expiry, whichever came first), so an ended secret answers REVOKED or EXPIRED rather than
     * NOT_FOUND for as long as its key's records are kept; for ever while nothing ends it.
     */
    public ValidationViewWriter.Lifetime lifetime(Duration retention) {
        Instant end = Stream.of(graceUntil, revokedAt, expiresAt).filter(Objects::nonNull).min(Instant::compareTo)
                .orElse(null);
        return ValidationViewWriter.Lifetime.until(end == null ? null : end.plus(retention));
    }

    /** The entry's fields as the verify script reads them. */
    public Map<String, String> fields() {
        Map<String, String> fields = ValidationViewKeys.settingsFields(permissions, scope, rateLimits, expiresAt,
                allowedSources);
        fields.put(ValidationViewKeys.KEY_ID, keyId);
        fields.put(ValidationViewKeys.OWNER_ID, ownerId);
        fields.put(ValidationViewKeys.STATUS, status);
        if (graceUntil != null) {
            fields.put(ValidationViewKeys.GRACE_UNTIL, Long.toString(graceUntil.toEpochMilli()));
        }
        return fields;
    }

    /**
     * The verify script's decision, made without Redis: the same order of checks, but no rate limit and no usage
     * count, since both live in Redis ({@link DegradedRateLimits} applies the limits after). A key outside {@code callerScope} (null: every owner) is not found; a use from
     * a {@code source} outside the key's allowed networks is refused (null: a look that is not a use, unchecked).
     */
    public Verification decide(List<String> requiredPermissions, KeyScope callerScope, String source, Instant now) {
        if (callerScope != null && !callerScope.covers(ownerId)) {
            return Verification.of(VerificationCode.NOT_FOUND);
        }
        VerificationCode code;
        if (ValidationViewKeys.STATUS_REVOKED.equals(status)) {
            code = VerificationCode.REVOKED;
        } else if (ValidationViewKeys.STATUS_EXPIRED.equals(status) || reached(expiresAt, now)
                || reached(graceUntil, now)) {
            code = VerificationCode.EXPIRED;
        } else if (source != null && !AllowedSources.admits(allowedSources, source)) {
            code = VerificationCode.FORBIDDEN_SOURCE;
        } else if (!Permissions.grantsAll(permissions, requiredPermissions)) {
            code = VerificationCode.INSUFFICIENT_PERMISSIONS;
        } else {
            code = VerificationCode.VALID;
        }
        return new Verification(code, keyId, ownerId, permissions, scope, expiresAt, graceUntil, List.of());
    }

    private static boolean reached(Instant deadline, Instant now) {
        return deadline != null && !deadline.isAfter(now);
    }
}
