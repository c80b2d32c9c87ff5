package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.Severity;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How alerts reach people. Checked at start-up, so a typo in an address or a webhook stops the start with a message
 * naming the setting, rather than alerts that silently go nowhere.
 *
 * @param enabled        whether this instance sends; off, it still queues what it raises for another instance
 * @param cooldown       one rule and subject notify at most once per cool-down; repeats go in the next message
 * @param maxAttempts    attempts per notification and channel before it is recorded as failed
 * @param initialBackoff the wait after the first failed attempt, doubled after each further one
 * @param lease          how long a claimed notification is reserved for the instance sending it
 * @param pollInterval   how often queued notifications are checked when nothing wakes the sender
 * @param maxAge         a raise from an event older than this is listed and audited but sends nothing: a first
 *                       start on a store with years of history must not mail all of it
 */
@Validated
@ConfigurationProperties("spendsync.alerts.delivery")
public record DeliverySettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("PT15M") @NotNull(message = "spendsync.alerts.delivery.cooldown must be set") Duration cooldown,
        @DefaultValue("8") @Min(value = 1, message = "spendsync.alerts.delivery.max-attempts must be at least 1")
        int maxAttempts,
        @DefaultValue("PT2S") @NotNull(message = "spendsync.alerts.delivery.initial-backoff must be set")
        Duration initialBackoff,
        @DefaultValue("PT10M") @NotNull(message = "spendsync.alerts.delivery.max-backoff must be set")
        Duration maxBackoff,
        @DefaultValue("PT1M") @NotNull(message = "spendsync.alerts.delivery.lease must be set") Duration lease,
        @DefaultValue("PT1S") @NotNull(message = "spendsync.alerts.delivery.poll-interval must be set")
        Duration pollInterval,
        @DefaultValue("PT24H") @NotNull(message = "spendsync.alerts.delivery.max-age must be set") Duration maxAge,
        @Valid @DefaultValue Email email,
        @Valid @DefaultValue Slack slack) {

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    @AssertTrue(message = "spendsync.alerts.delivery.cooldown must not be negative")
    public boolean isCooldownValid() {
        return cooldown == null || !cooldown.isNegative();
    }

    @AssertTrue(message = "spendsync.alerts.delivery.lease must be at least PT30S: longer than one attempt may take "
            + "(10 s Slack timeout, 10 s SMTP connect, read and write timeouts)")
    public boolean isLeaseLongEnough() {
        return lease == null || lease.compareTo(Duration.ofSeconds(30)) >= 0;
    }

    @AssertTrue(message = "spendsync.alerts.delivery.initial-backoff, max-backoff, lease and poll-interval must be "
            + "longer than zero, and max-backoff at least initial-backoff")
    public boolean isTimingValid() {
        if (initialBackoff == null || maxBackoff == null || lease == null || pollInterval == null) {
            return true;
        }
        return Stream.of(initialBackoff, maxBackoff, lease, pollInterval).allMatch(d -> !d.isNegative() && !d.isZero())
                && maxBackoff.compareTo(initialBackoff) >= 0;
    }

    /**
     * Email over SMTP (the server is Spring's {@code spring.mail.*}). {@code to} (ALERT_EMAIL_TO) receives every
     * severity that has no list of its own in {@code to-low} ... {@code to-critical}; a severity with no recipient
     * at all is not emailed. {@code senders} messages are sent at once, each over its own SMTP connection.
     */
    public record Email(String from, @DefaultValue List<String> to, @DefaultValue List<String> toLow,
                        @DefaultValue List<String> toMedium, @DefaultValue List<String> toHigh,
                        @DefaultValue List<String> toCritical,
                        @DefaultValue("4") @Min(value = 1, message = "spendsync.alerts.delivery.email.senders must be "
                                + "from 1 to 32") @Max(value = 32, message = "spendsync.alerts.delivery.email.senders "
                                + "must be from 1 to 32") int senders) {

        public List<String> recipientsFor(Severity severity) {
            List<String> own = switch (severity) {
                case LOW -> toLow;
                case MEDIUM -> toMedium;
                case HIGH -> toHigh;
                case CRITICAL -> toCritical;
            };
            return clean(own.isEmpty() ? to : own);
        }

        public boolean configured() {
            return Stream.of(Severity.values()).anyMatch(severity -> !recipientsFor(severity).isEmpty());
        }

        @AssertTrue(message = "spendsync.alerts.delivery.email.from (ALERT_EMAIL_FROM) must be set to the sender's "
                + "address when alert email recipients are")
        public boolean isSenderSetWhenNeeded() {
            return !configured() || (from != null && !from.isBlank());
        }

        @AssertTrue(message = "spendsync.alerts.delivery.email: ALERT_EMAIL_FROM and every ALERT_EMAIL_TO* entry "
                + "must be a plain email address such as alerts@example.com")
        public boolean isEveryAddressValid() {
            List<String> addresses = new ArrayList<>();
            Stream.of(to, toLow, toMedium, toHigh, toCritical).forEach(list -> addresses.addAll(clean(list)));
            if (from != null && !from.isBlank()) {
                addresses.add(from.trim());
            }
            return addresses.stream().allMatch(Email::isAddress);
        }

        private static List<String> clean(List<String> addresses) {
            return addresses.stream().map(String::trim).filter(address -> !address.isEmpty()).toList();
        }

        private static boolean isAddress(String address) {
            try {
                new InternetAddress(address, true).validate();
                return address.indexOf('@') > 0;
            } catch (AddressException e) {
                return false;
            }
        }
    }

    /**
     * A Slack incoming webhook (ALERT_SLACK_WEBHOOK); alerts below {@code minSeverity} are not posted.
     */
    public record Slack(String webhook,
                        @DefaultValue("LOW") @NotNull(message = "spendsync.alerts.delivery.slack.min-severity must be "
                                + "one of LOW, MEDIUM, HIGH, CRITICAL") Severity minSeverity,
                        @DefaultValue("PT10S") @NotNull(message = "spendsync.alerts.delivery.slack.timeout must be set")
                        Duration timeout) {

        public boolean configured() {
            return webhook != null && !webhook.isBlank();
        }

        public URI webhookUri() {
            return URI.create(webhook.trim());
        }

        public boolean accepts(Severity severity) {
            return configured() && severity.compareTo(minSeverity) >= 0;
        }

        /** The webhook is a credential: plain http is accepted only on the loopback interface (a local relay). */
        @AssertTrue(message = "spendsync.alerts.delivery.slack.webhook (ALERT_SLACK_WEBHOOK) must be an absolute "
                + "https URL such as https://hooks.slack.com/services/... (http only to 127.0.0.1 or localhost)")
        public boolean isWebhookValid() {
            if (!configured()) {
                return true;
            }
            try {
                URI uri = new URI(webhook.trim());
                return uri.getHost() != null && ("https".equals(uri.getScheme())
                        || "http".equals(uri.getScheme()) && LOOPBACK.contains(uri.getHost()));
            } catch (URISyntaxException e) {
                return false;
            }
        }

        @AssertTrue(message = "spendsync.alerts.delivery.slack.timeout must be longer than zero")
        public boolean isTimeoutValid() {
            return timeout == null || !(timeout.isNegative() || timeout.isZero());
        }
    }
}
