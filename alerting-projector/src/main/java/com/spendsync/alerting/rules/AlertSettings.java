package com.spendsync.alerting.rules;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The alert rules: each can be turned off, and its thresholds are checked at start-up, so a bad setting stops the
 * start with a message naming it rather than an alerting that never fires.
 */
@Validated
@ConfigurationProperties("spendsync.alerts")
public record AlertSettings(@Valid @DefaultValue BruteForce bruteForce,
                            @Valid @DefaultValue PrivilegeChange privilegeChange) {

    /**
     * @param threshold at least how many unknown or malformed keys from one source, within {@code window}, raise it
     */
    public record BruteForce(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("20") @Min(value = 1, message = "spendsync.alerts.brute-force.threshold must be at least 1")
            int threshold,
            @DefaultValue("PT5M") @NotNull(message = "spendsync.alerts.brute-force.window must be set") Duration window) {

        @AssertTrue(message = "spendsync.alerts.brute-force.window must be longer than zero")
        public boolean isWindowPositive() {
            return window == null || !(window.isNegative() || window.isZero());
        }
    }

    public record PrivilegeChange(@DefaultValue("true") boolean enabled) {
    }
}
