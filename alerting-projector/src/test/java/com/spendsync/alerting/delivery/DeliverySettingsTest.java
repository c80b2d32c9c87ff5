package com.spendsync.alerting.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.alerting.alert.Severity;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliverySettingsTest {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void aSeverityWithoutItsOwnListGoesToTheDefaultRecipients() {
        DeliverySettings.Email email = new DeliverySettings.Email("alerts@example.com", List.of("oncall@example.com"),
                List.of(), List.of(), List.of(" security@example.com ", ""), List.of(), 4);

        assertThat(email.recipientsFor(Severity.HIGH)).containsExactly("security@example.com");
        assertThat(email.recipientsFor(Severity.LOW)).containsExactly("oncall@example.com");
        assertThat(email.configured()).isTrue();
        assertThat(validator.validate(email)).isEmpty();
    }

    @Test
    void onlyTheSeveritiesWithRecipientsAreEmailed() {
        DeliverySettings.Email email = new DeliverySettings.Email("alerts@example.com", List.of(), List.of(),
                List.of(), List.of(), List.of("ciso@example.com"), 4);

        assertThat(email.recipientsFor(Severity.HIGH)).isEmpty();
        assertThat(email.recipientsFor(Severity.CRITICAL)).containsExactly("ciso@example.com");
    }

    @Test
    void recipientsWithoutASenderOrWithABadAddressAreRefusedByName() {
        DeliverySettings.Email email = new DeliverySettings.Email(null, List.of("oncall@example.com", "not an address"),
                List.of(), List.of(), List.of(), List.of(), 4);

        assertThat(validator.validate(email)).extracting(ConstraintViolation::getMessage).containsExactlyInAnyOrder(
                "spendsync.alerts.delivery.email.from (ALERT_EMAIL_FROM) must be set to the sender's address when "
                        + "alert email recipients are",
                "spendsync.alerts.delivery.email: ALERT_EMAIL_FROM and every ALERT_EMAIL_TO* entry must be a plain "
                        + "email address such as alerts@example.com");
    }

    @Test
    void noRecipientAtAllLeavesEmailOff() {
        DeliverySettings.Email email = new DeliverySettings.Email(null, List.of(), List.of(), List.of(), List.of(),
                List.of(), 4);

        assertThat(email.configured()).isFalse();
        assertThat(validator.validate(email)).isEmpty();
    }

    @Test
    void theNumberOfEmailSendersIsBounded() {
        for (int senders : new int[] {0, 33}) {
            assertThat(validator.validate(new DeliverySettings.Email(null, List.of(), List.of(), List.of(), List.of(),
                    List.of(), senders))).extracting(ConstraintViolation::getMessage)
                    .containsExactly("spendsync.alerts.delivery.email.senders must be from 1 to 32");
        }
    }

    @Test
    void aWebhookMustBeAnAbsoluteHttpUrl() {
        for (String bad : List.of("hooks.slack.com/services/x", "ftp://hooks.slack.com/x", "https://", "http:// x",
                "http://hooks.slack.com/services/T/B/x")) {
            assertThat(validator.validate(new DeliverySettings.Slack(bad, Severity.LOW, Duration.ofSeconds(10))))
                    .as(bad).extracting(ConstraintViolation::getMessage).containsExactly(
                            "spendsync.alerts.delivery.slack.webhook (ALERT_SLACK_WEBHOOK) must be an absolute https "
                                    + "URL such as https://hooks.slack.com/services/... (http only to 127.0.0.1 or "
                                    + "localhost)");
        }
        for (String good : List.of("https://hooks.slack.com/services/T/B/x", "http://127.0.0.1:8080/relay")) {
            assertThat(validator.validate(new DeliverySettings.Slack(good, Severity.LOW, Duration.ofSeconds(10))))
                    .as(good).isEmpty();
        }
        assertThat(validator.validate(new DeliverySettings.Slack(null, null, null)))
                .extracting(ConstraintViolation::getMessage).containsExactlyInAnyOrder(
                        "spendsync.alerts.delivery.slack.min-severity must be one of LOW, MEDIUM, HIGH, CRITICAL",
                        "spendsync.alerts.delivery.slack.timeout must be set");
    }

    @Test
    void slackTakesOnlyTheSeveritiesFromItsMinimumUp() {
        DeliverySettings.Slack slack = new DeliverySettings.Slack("https://hooks.slack.com/services/T/B/x",
                Severity.HIGH, Duration.ofSeconds(10));

        assertThat(slack.accepts(Severity.MEDIUM)).isFalse();
        assertThat(slack.accepts(Severity.HIGH)).isTrue();
        assertThat(slack.accepts(Severity.CRITICAL)).isTrue();
    }

    @Test
    void backoffsMustBePositiveAndTheCapAtLeastTheStart() {
        assertThat(validator.validate(settings(Duration.ofSeconds(10), Duration.ofSeconds(5))))
                .extracting(ConstraintViolation::getMessage).containsExactly(
                        "spendsync.alerts.delivery.initial-backoff, max-backoff, lease and poll-interval must be "
                                + "longer than zero, and max-backoff at least initial-backoff");
        assertThat(validator.validate(settings(Duration.ZERO, Duration.ofSeconds(5)))).hasSize(1);
        assertThat(validator.validate(settings(Duration.ofSeconds(2), Duration.ofMinutes(10)))).isEmpty();
    }

    @Test
    void aLeaseShorterThanOneAttemptMayTakeIsRefused() {
        DeliverySettings defaults = settings(Duration.ofSeconds(2), Duration.ofMinutes(10));
        DeliverySettings shortLease = new DeliverySettings(true, defaults.cooldown(), 8, defaults.initialBackoff(),
                defaults.maxBackoff(), Duration.ofSeconds(5), defaults.pollInterval(), defaults.maxAge(),
                defaults.email(), defaults.slack());

        assertThat(validator.validate(shortLease)).extracting(ConstraintViolation::getMessage).containsExactly(
                "spendsync.alerts.delivery.lease must be at least PT30S: longer than one attempt may take (10 s "
                        + "Slack timeout, 10 s SMTP connect, read and write timeouts)");
    }

    static DeliverySettings settings(Duration initialBackoff, Duration maxBackoff) {
        DeliverySettings.Email noEmail = new DeliverySettings.Email(null, List.of(), List.of(), List.of(), List.of(),
                List.of(), 4);
        return new DeliverySettings(true, Duration.ofMinutes(15), 8, initialBackoff, maxBackoff, Duration.ofMinutes(1),
                Duration.ofSeconds(1), Duration.ofHours(24), noEmail,
                new DeliverySettings.Slack(null, Severity.LOW, Duration.ofSeconds(10)));
    }
}
