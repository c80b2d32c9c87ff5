package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.Severity;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A rule that counts refusals of some kinds over a sliding window, per source or per key, and matches once the
 * window holds {@code threshold} of them.
 *
 * @param detail the alert's sentence: {@code %1$d} the count, {@code %2$s} the source, {@code %3$s} the window
 */
record RefusalRule(String name, Set<String> kinds, boolean perKey, boolean enabled, int threshold, Duration window,
                   Severity severity, String detail) {

    static final String BRUTE_FORCE = "brute-force";
    static final String ABUSE = "abuse";
    static final String REVOKED_KEY_USE = "revoked-key-use";

    /** The counting rules as configured. Refused management credentials are counted by none of them. */
    static List<RefusalRule> of(AlertSettings settings) {
        AlertSettings.BruteForce bruteForce = settings.bruteForce();
        AlertSettings.Abuse abuse = settings.abuse();
        AlertSettings.RevokedKeyUse revokedKeyUse = settings.revokedKeyUse();
        return List.of(
                new RefusalRule(BRUTE_FORCE, Set.of(AccessFailures.UNKNOWN_KEY, AccessFailures.MALFORMED_KEY), false,
                        bruteForce.enabled(), bruteForce.threshold(), bruteForce.window(), bruteForce.severity(),
                        "%1$d unknown or malformed keys tried from %2$s within %3$s"),
                new RefusalRule(ABUSE, Set.of(AccessFailures.RATE_LIMITED), true, abuse.enabled(), abuse.threshold(),
                        abuse.window(), abuse.severity(), "%1$d verifications refused as rate limited within %3$s"),
                new RefusalRule(REVOKED_KEY_USE, Set.of(AccessFailures.REVOKED_KEY, AccessFailures.EXPIRED_KEY), true,
                        revokedKeyUse.enabled(), revokedKeyUse.threshold(), revokedKeyUse.window(),
                        revokedKeyUse.severity(),
                        "%1$d verifications presented a revoked or expired secret of the key within %3$s"));
    }

    boolean counts(AccessFailuresObservedEvent failures) {
        return enabled && kinds.contains(failures.kind()) && subjectOf(failures) != null;
    }

    /** The source the refusals came from, or the key they were about. */
    String subjectOf(AccessFailuresObservedEvent failures) {
        return perKey ? failures.keyId() : failures.source();
    }

    boolean matches(long inWindow) {
        return inWindow >= threshold;
    }

    String describe(long inWindow, AccessFailuresObservedEvent failures) {
        return String.format(Locale.ROOT, detail, inWindow, failures.source(), window);
    }
}
