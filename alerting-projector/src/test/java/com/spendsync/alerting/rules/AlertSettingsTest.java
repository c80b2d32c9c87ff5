package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertSettingsTest {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void theDefaultsAreValid() {
        assertThat(validator.validate(new AlertSettings.BruteForce(true, 20, Duration.ofMinutes(5)))).isEmpty();
    }

    @Test
    void aThresholdBelowOneAndAnEmptyWindowAreRefusedByName() {
        assertThat(validator.validate(new AlertSettings.BruteForce(true, 0, Duration.ZERO)))
                .extracting(ConstraintViolation::getMessage)
                .containsExactlyInAnyOrder("spendsync.alerts.brute-force.threshold must be at least 1",
                        "spendsync.alerts.brute-force.window must be longer than zero");
    }
}
