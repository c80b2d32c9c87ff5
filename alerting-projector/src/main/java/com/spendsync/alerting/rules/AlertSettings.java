package com.spendsync.alerting.rules;

import com.spendsync.alerting.alert.Severity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The alert rules: each can be turned off and given its severity, and its thresholds are checked at start-up, so a
 * bad setting stops the start with a message naming it rather than an alerting that never fires.
 */
@Validated
@ConfigurationProperties("spendsync.alerts")
public record AlertSettings(@Valid @DefaultValue BruteForce bruteForce,
                            @Valid @DefaultValue PrivilegeChange privilegeChange,
                            @Valid @DefaultValue Abuse abuse,
                            @Valid @DefaultValue RevokedKeyUse revokedKeyUse,
                            @Valid @DefaultValue LateGraceUse lateGraceUse,
                            @Valid @DefaultValue ExpiringSoon expiringSoon,
                            @Valid @DefaultValue UsageAnomaly usageAnomaly) {

    /**
     * @param threshold      at least how many refusals (unknown or malformed keys, 401, 403) from one source, within
     *                       {@code window}, raise it about that source
     * @param totalThreshold at least how many from all sources together, within {@code window}, raise it about all
     */
    public record BruteForce(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("20") @Min(value = 1, message = "spendsync.alerts.brute-force.threshold must be at least 1")
            int threshold,
            @DefaultValue("200")
            @Min(value = 1, message = "spendsync.alerts.brute-force.total-threshold must be at least 1")
            int totalThreshold,
            @DefaultValue("PT5M") @NotNull(message = "spendsync.alerts.brute-force.window must be set") Duration window,
            @DefaultValue("HIGH") @NotNull(message = "spendsync.alerts.brute-force.severity must be set")
            Severity severity) {

        @AssertTrue(message = "spendsync.alerts.brute-force.window must be longer than zero")
        public boolean isWindowPositive() {
            return positiveOrUnset(window);
        }
    }

    public record PrivilegeChange(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("HIGH") @NotNull(message = "spendsync.alerts.privilege-change.severity must be set")
            Severity severity) {
    }

    /** @param threshold at least how many verifications of one key refused as rate limited, within {@code window} */
    public record Abuse(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("100") @Min(value = 1, message = "spendsync.alerts.abuse.threshold must be at least 1")
            int threshold,
            @DefaultValue("PT5M") @NotNull(message = "spendsync.alerts.abuse.window must be set") Duration window,
            @DefaultValue("MEDIUM") @NotNull(message = "spendsync.alerts.abuse.severity must be set")
            Severity severity) {

        @AssertTrue(message = "spendsync.alerts.abuse.window must be longer than zero")
        public boolean isWindowPositive() {
            return positiveOrUnset(window);
        }
    }

    /**
     * @param threshold at least how many verifications that presented a revoked or expired secret of one key, within
     *                  {@code window}
     */
    public record RevokedKeyUse(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1")
            @Min(value = 1, message = "spendsync.alerts.revoked-key-use.threshold must be at least 1") int threshold,
            @DefaultValue("PT5M") @NotNull(message = "spendsync.alerts.revoked-key-use.window must be set")
            Duration window,
            @DefaultValue("HIGH") @NotNull(message = "spendsync.alerts.revoked-key-use.severity must be set")
            Severity severity) {

        @AssertTrue(message = "spendsync.alerts.revoked-key-use.window must be longer than zero")
        public boolean isWindowPositive() {
            return positiveOrUnset(window);
        }
    }

    /**
     * @param remainingFraction the closing part of a grace period, as a fraction of its length, in which a valid use
     *                          of the previous secret raises it
     */
    public record LateGraceUse(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("0.25")
            @DecimalMin(value = "0", inclusive = false,
                    message = "spendsync.alerts.late-grace-use.remaining-fraction must be above 0 and at most 1")
            @DecimalMax(value = "1",
                    message = "spendsync.alerts.late-grace-use.remaining-fraction must be above 0 and at most 1")
            double remainingFraction,
            @DefaultValue("MEDIUM") @NotNull(message = "spendsync.alerts.late-grace-use.severity must be set")
            Severity severity) {
    }

    /**
     * @param thresholds    how long before its expiry a key is warned about, once per threshold and expiry instant
     * @param checkInterval how often the keys are looked at
     */
    public record ExpiringSoon(
            @DefaultValue("true") boolean enabled,
            @DefaultValue({"P7D", "P1D"})
            @NotEmpty(message = "spendsync.alerts.expiring-soon.thresholds must name at least one duration")
            List<Duration> thresholds,
            @DefaultValue("PT1M") @NotNull(message = "spendsync.alerts.expiring-soon.check-interval must be set")
            Duration checkInterval,
            @DefaultValue("LOW") @NotNull(message = "spendsync.alerts.expiring-soon.severity must be set")
            Severity severity) {

        @AssertTrue(message = "spendsync.alerts.expiring-soon.thresholds must all be longer than zero")
        public boolean isEveryThresholdPositive() {
            return thresholds == null || thresholds.stream().allMatch(threshold -> threshold != null
                    && positiveOrUnset(threshold));
        }

        @AssertTrue(message = "spendsync.alerts.expiring-soon.check-interval must be longer than zero")
        public boolean isCheckIntervalPositive() {
            return positiveOrUnset(checkInterval);
        }
    }

    /**
     * @param warmUpWindows usage flush windows a key is observed for before its baseline is trusted
     * @param factor        how many times its baseline a key's uses in one window must reach
     * @param minUses       the fewest uses in one window that can raise it, however low the baseline
     * @param smoothing     the weight of the newest window in the moving baseline (exponentially weighted)
     */
    public record UsageAnomaly(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10")
            @Min(value = 1, message = "spendsync.alerts.usage-anomaly.warm-up-windows must be at least 1")
            int warmUpWindows,
            @DefaultValue("10")
            @DecimalMin(value = "1", inclusive = false,
                    message = "spendsync.alerts.usage-anomaly.factor must be above 1")
            double factor,
            @DefaultValue("100") @Min(value = 1, message = "spendsync.alerts.usage-anomaly.min-uses must be at least 1")
            long minUses,
            @DefaultValue("0.2")
            @DecimalMin(value = "0", inclusive = false,
                    message = "spendsync.alerts.usage-anomaly.smoothing must be above 0 and at most 1")
            @DecimalMax(value = "1",
                    message = "spendsync.alerts.usage-anomaly.smoothing must be above 0 and at most 1")
            double smoothing,
            @DefaultValue("MEDIUM") @NotNull(message = "spendsync.alerts.usage-anomaly.severity must be set")
            Severity severity) {
    }

    /** An unset duration is reported by its own {@code @NotNull}, not twice. */
    private static boolean positiveOrUnset(Duration duration) {
        return duration == null || !(duration.isNegative() || duration.isZero());
    }
}
