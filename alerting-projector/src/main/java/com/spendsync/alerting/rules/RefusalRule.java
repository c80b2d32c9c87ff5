package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.Severity;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A rule that counts refusals of some kinds over a sliding window, per source, per key or across all sources, and
 * matches once the window holds {@code threshold} of them.
 *
 * @param detail the alert's sentence: {@code %1$d} the count, {@code %2$s} the source, {@code %3$s} the window
 */
record RefusalRule(String name, Set<String> kinds, Scope scope, boolean enabled, int threshold, Duration window,
                   Severity severity, String detail) {

    static final String BRUTE_FORCE = "brute-force";
    static final String ABUSE = "abuse";
    static final String REVOKED_KEY_USE = "revoked-key-use";
    /** The subject of the brute-force alert about every source together: {@code brute-force:*}. */
    static final String ALL_SOURCES = "*";
    /**
     * Refused credentials of any kind, whoever presents them: what someone guessing keys is refused with, and what
     * someone holding a key outside its allowed networks is.
     */
    static final Set<String> BRUTE_FORCE_KINDS = Set.of(AccessFailures.UNKNOWN_KEY, AccessFailures.MALFORMED_KEY,
            AccessFailures.UNAUTHENTICATED, AccessFailures.FORBIDDEN, AccessFailures.FORBIDDEN_SOURCE);

    /** What a rule counts the refusals about, each subject in a window of its own. */
    enum Scope { SOURCE, KEY, ALL_SOURCES }

    /** The counting rules as configured. */
    static List<RefusalRule> of(AlertSettings settings) {
        AlertSettings.BruteForce bruteForce = settings.bruteForce();
        AlertSettings.Abuse abuse = settings.abuse();
        AlertSettings.RevokedKeyUse revokedKeyUse = settings.revokedKeyUse();
        String refusals = "%1$d refusals (unknown or malformed keys, keys outside their networks, 401 or 403) from ";
        return List.of(
                new RefusalRule(BRUTE_FORCE, BRUTE_FORCE_KINDS, Scope.SOURCE, bruteForce.enabled(),
                        bruteForce.threshold(), bruteForce.window(), bruteForce.severity(),
                        refusals + "%2$s within %3$s"),
                // an attacker rotating through addresses stays below the threshold of every one of them
                new RefusalRule(BRUTE_FORCE, BRUTE_FORCE_KINDS, Scope.ALL_SOURCES, bruteForce.enabled(),
                        bruteForce.totalThreshold(), bruteForce.window(), bruteForce.severity(),
                        refusals + "all sources together within %3$s"),
                new RefusalRule(ABUSE, Set.of(AccessFailures.RATE_LIMITED), Scope.KEY, abuse.enabled(),
                        abuse.threshold(), abuse.window(), abuse.severity(),
                        "%1$d verifications refused as rate limited within %3$s"),
                new RefusalRule(REVOKED_KEY_USE, Set.of(AccessFailures.REVOKED_KEY, AccessFailures.EXPIRED_KEY),
                        Scope.KEY, revokedKeyUse.enabled(), revokedKeyUse.threshold(), revokedKeyUse.window(),
                        revokedKeyUse.severity(),
                        "%1$d verifications presented a revoked or expired secret of the key within %3$s"));
    }

    boolean counts(AccessFailuresObservedEvent failures) {
        return enabled && kinds.contains(failures.kind()) && subjectOf(failures) != null;
    }

    /** The source the refusals came from, the key they were about, or {@link #ALL_SOURCES}. */
    String subjectOf(AccessFailuresObservedEvent failures) {
        return switch (scope) {
            case SOURCE -> failures.source();
            case KEY -> failures.keyId();
            case ALL_SOURCES -> ALL_SOURCES;
        };
    }

    /** The key the alert is about: only a rule counting per key names one. */
    String keyIdOf(AccessFailuresObservedEvent failures) {
        return scope == Scope.KEY ? failures.keyId() : null;
    }

    /** The total keeps a window apart from the one of a source that calls itself {@code *}. */
    String windowName() {
        return scope == Scope.ALL_SOURCES ? name + ":" + ALL_SOURCES : name;
    }

    boolean matches(long inWindow) {
        return inWindow >= threshold;
    }

    String describe(long inWindow, AccessFailuresObservedEvent failures) {
        return String.format(Locale.ROOT, detail, inWindow, failures.source(), window);
    }
}
