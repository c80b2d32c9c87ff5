package com.spendsync.alerting.rules;

import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The expiring-soon rule: a key is warned once per threshold before its expiry. Only the smallest threshold the key
 * is within is ever due, and none once it or a smaller one was warned for the same expiry instant, so a key created
 * a day before its expiry is warned once, not for seven days and for one.
 */
final class ExpiringSoon {

    static final String RULE = KeyExpiryApproachingEvent.RULE;

    private ExpiringSoon() {
    }

    /** The threshold {@code key} should be warned about at {@code now}, if any. */
    static Optional<Duration> due(KeyState key, Instant now, List<Duration> thresholds) {
        if (key.ended() || key.expiresAt() == null || !key.expiresAt().isAfter(now)) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, key.expiresAt());
        return thresholds.stream().filter(threshold -> left.compareTo(threshold) <= 0)
                .min(Comparator.naturalOrder())
                .filter(threshold -> !warned(key, threshold, key.expiresAt()));
    }

    /**
     * Whether a recorded warning still applies to the key: not ended, the same expiry instant, and not given yet (by
     * this event or the same fact recorded twice).
     */
    static boolean stillDue(KeyState key, KeyExpiryApproachingEvent approaching) {
        return !key.ended() && approaching.expiresAt().equals(key.expiresAt())
                && !warned(key, approaching.threshold(), approaching.expiresAt());
    }

    /** The same for every record of the same fact, so the alert counts it once. */
    static String idempotencyId(KeyExpiryApproachingEvent approaching) {
        return RULE + ":" + approaching.keyId() + ":" + approaching.threshold() + ":" + approaching.expiresAt();
    }

    static String describe(KeyExpiryApproachingEvent approaching) {
        return "key expires at " + approaching.expiresAt() + ", within " + readable(approaching.threshold());
    }

    /** Whole days as {@code P7D}; {@link Duration#toString()} would say {@code PT168H}. */
    static String readable(Duration duration) {
        long days = duration.toDays();
        return days > 0 && duration.equals(Duration.ofDays(days)) ? "P" + days + "D" : duration.toString();
    }

    private static boolean warned(KeyState key, Duration threshold, Instant expiresAt) {
        return key.warnings().stream().anyMatch(warning -> warning.expiresAt().equals(expiresAt)
                && warning.threshold().compareTo(threshold) <= 0);
    }
}
