package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.alerting.alert.Severity;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class AlertSettingsTest {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(SettingsOnly.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AlertSettings.class)
    static class SettingsOnly {
    }

    @Test
    void theDefaultsAreValid() {
        assertThat(validator.validate(
                new AlertSettings.BruteForce(true, 20, 200, Duration.ofMinutes(5), Severity.HIGH))).isEmpty();
    }

    @Test
    void aThresholdBelowOneAndAnEmptyWindowAreRefusedByName() {
        assertThat(validator.validate(new AlertSettings.BruteForce(true, 0, 0, Duration.ZERO, Severity.HIGH)))
                .extracting(ConstraintViolation::getMessage)
                .containsExactlyInAnyOrder("spendsync.alerts.brute-force.threshold must be at least 1",
                        "spendsync.alerts.brute-force.total-threshold must be at least 1",
                        "spendsync.alerts.brute-force.window must be longer than zero");
    }

    @Test
    void withNothingSetEveryRuleRunsWithItsDocumentedDefaults() {
        context.run(started -> {
            AlertSettings settings = started.getBean(AlertSettings.class);
            assertThat(settings.bruteForce()).isEqualTo(
                    new AlertSettings.BruteForce(true, 20, 200, Duration.ofMinutes(5), Severity.HIGH));
            assertThat(settings.privilegeChange()).isEqualTo(new AlertSettings.PrivilegeChange(true, Severity.HIGH));
            assertThat(settings.abuse()).isEqualTo(
                    new AlertSettings.Abuse(true, 100, Duration.ofMinutes(5), Severity.MEDIUM));
            assertThat(settings.revokedKeyUse()).isEqualTo(
                    new AlertSettings.RevokedKeyUse(true, 1, Duration.ofMinutes(5), Severity.HIGH));
            assertThat(settings.lateGraceUse()).isEqualTo(new AlertSettings.LateGraceUse(true, 0.25, Severity.MEDIUM));
            assertThat(settings.expiringSoon()).isEqualTo(new AlertSettings.ExpiringSoon(true,
                    List.of(Duration.ofDays(7), Duration.ofDays(1)), Duration.ofMinutes(1), Severity.LOW));
            assertThat(settings.usageAnomaly()).isEqualTo(
                    new AlertSettings.UsageAnomaly(true, 10, 10, 100, 0.2, Severity.MEDIUM));
        });
    }

    @Test
    void aRuleCanBeTurnedOffAndGivenAnotherSeverity() {
        context.withPropertyValues("spendsync.alerts.abuse.enabled=false",
                        "spendsync.alerts.expiring-soon.severity=MEDIUM",
                        "spendsync.alerts.expiring-soon.thresholds=P3D,PT12H")
                .run(started -> {
                    AlertSettings settings = started.getBean(AlertSettings.class);
                    assertThat(settings.abuse().enabled()).isFalse();
                    assertThat(settings.expiringSoon().severity()).isEqualTo(Severity.MEDIUM);
                    assertThat(settings.expiringSoon().thresholds())
                            .containsExactly(Duration.ofDays(3), Duration.ofHours(12));
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "brute-force.total-threshold       | 0     | must be at least 1",
            "abuse.threshold                   | 0     | must be at least 1",
            "abuse.window                      | PT0S  | must be longer than zero",
            "revoked-key-use.threshold         | 0     | must be at least 1",
            "revoked-key-use.window            | -PT1M | must be longer than zero",
            "late-grace-use.remaining-fraction | 0     | must be above 0 and at most 1",
            "late-grace-use.remaining-fraction | 1.5   | must be above 0 and at most 1",
            "expiring-soon.thresholds          | ''    | must name at least one duration",
            "expiring-soon.thresholds          | P7D,PT0S | must all be longer than zero",
            "expiring-soon.check-interval      | PT0S  | must be longer than zero",
            "usage-anomaly.warm-up-windows     | 0     | must be at least 1",
            "usage-anomaly.factor              | 1     | must be above 1",
            "usage-anomaly.min-uses            | 0     | must be at least 1",
            "usage-anomaly.smoothing           | 0     | must be above 0 and at most 1"})
    void aSettingOutOfRangeStopsTheStartWithAMessageNamingIt(String setting, String value, String problem) {
        String property = "spendsync.alerts." + setting;
        context.withPropertyValues(property + "=" + value).run(started -> assertThat(started).getFailure()
                .hasStackTraceContaining(property + " " + problem));
    }

    @Test
    void anUnknownSeverityStopsTheStartNamingTheSetting() {
        context.withPropertyValues("spendsync.alerts.abuse.severity=URGENT").run(started -> assertThat(started)
                .getFailure().hasStackTraceContaining("spendsync.alerts.abuse.severity"));
    }
}
