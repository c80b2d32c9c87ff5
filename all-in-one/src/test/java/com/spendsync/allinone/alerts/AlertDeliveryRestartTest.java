package com.spendsync.allinone.alerts;

import static com.spendsync.allinone.support.AlertListing.awaitAlert;
import static com.spendsync.allinone.support.AlertListing.deliveryStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.spendsync.alerting.alert.AlertRaiser;
import com.spendsync.alerting.alert.Alerts;
import com.spendsync.alerting.alert.Raise;
import com.spendsync.alerting.alert.Severity;
import com.spendsync.alerting.delivery.Notification;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.AlertMail;
import com.spendsync.allinone.support.SlackReceiver;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.ReplayStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;

/** An alert raised but not yet delivered when the process stops is delivered after the restart, once per channel. */
class AlertDeliveryRestartTest {

    private GreenMail smtp;
    private SlackReceiver slack;

    @BeforeEach
    void startReceivers() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        slack = new SlackReceiver();
    }

    @AfterEach
    void stopReceivers() {
        slack.close();
        smtp.stop();
    }

    @Test
    void anAlertQueuedBeforeTheProcessStopsIsDeliveredOncePerChannelAfterTheRestart() {
        Path dataDirectory;
        ApiKeySecret root;
        String keyId;
        // the first process raises and queues, but stops before sending anything: sending is off on it
        try (SpendSyncInstance first = withReceivers(SpendSyncInstance.builder())
                .property("spendsync.alerts.delivery.enabled", "false").start()) {
            dataDirectory = first.dataDirectory();
            root = first.rootKey();
            keyId = first.api().createKey(Map.of("ownerId", "restart-alerts", "name", "raised before the stop",
                    "permissions", List.of("keys:read"))).text("keyId");
            awaitAlert(first.api(), "privilege-change:" + keyId, alert -> "pending".equals(deliveryStatus(alert,
                    "email")) && "pending".equals(deliveryStatus(alert, "slack")), "queued on both channels");
        }
        assertThat(slack.postsAbout(keyId)).isEmpty();
        assertThat(emailsAbout(keyId)).isZero();

        try (SpendSyncInstance second = withReceivers(SpendSyncInstance.builder()).dataDirectory(dataDirectory)
                .rootKey(root).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> slack.postsAbout(keyId).size() == 1
                    && emailsAbout(keyId) == 1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    slack.postsAbout(keyId).size() == 1 && emailsAbout(keyId) == 1);
            awaitAlert(second.api(), "privilege-change:" + keyId, alert -> "delivered".equals(deliveryStatus(alert,
                    "email")) && "delivered".equals(deliveryStatus(alert, "slack")), "delivered on both channels");
        }
    }

    @Test
    void aRaiseCountedJustBeforeACrashIsStillNotifiedOnceWhenItsEventComesAgain() {
        try (SpendSyncInstance instance = withReceivers(SpendSyncInstance.builder()).start()) {
            String subject = "crash-" + UUID.randomUUID();
            Raise raise = Raise.aboutSource("brute-force", Severity.HIGH, subject, "20 unknown keys tried",
                    UUID.randomUUID().toString(), Instant.now());
            // the crash came after the alert store counted the raise and before anything was queued
            assertThat(instance.bean(Alerts.class).raise(raise)).isNotNull();

            // the processor hands the event over again after the restart, maybe more than once
            instance.bean(AlertRaiser.class).raise(raise, ReplayStatus.REGULAR);
            instance.bean(AlertRaiser.class).raise(raise, ReplayStatus.REGULAR);

            await().atMost(Duration.ofSeconds(20)).until(() -> slack.postsAbout(subject).size() == 1
                    && emailsAbout(subject) == 1);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                    slack.postsAbout(subject).size() == 1 && emailsAbout(subject) == 1);
            assertThat(awaitAlert(instance.api(), "brute-force:" + subject).path("count").asLong()).isEqualTo(1);
        }
    }

    @Test
    void anEmailTheSmtpServerCouldNotTakeIsSentOnceItIsBack() {
        int port = smtp.getSmtp().getPort();
        SpendSyncInstance.Builder builder = withReceivers(SpendSyncInstance.builder())
                .property("spendsync.alerts.delivery.initial-backoff", "PT0.5S")
                .property("spendsync.alerts.delivery.max-backoff", "PT1S");
        smtp.stop();
        try (SpendSyncInstance instance = builder.start()) {
            String keyId = instance.api().createKey(Map.of("ownerId", "smtp-down", "name", "raised while SMTP is down",
                    "permissions", List.of("keys:read"))).text("keyId");
            String alertId = "privilege-change:" + keyId;
            awaitAlert(instance.api(), alertId, alert -> alert.path("deliveries").path("email").path("attempts")
                    .asInt() >= 2, "tried twice by email");
            assertThat(AlertListing.find(instance.api(), alertId).path("deliveries").path("email")
                    .path("lastError").asText()).contains("MailSendException");

            smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();

            awaitAlert(instance.api(), alertId, alert -> "delivered".equals(deliveryStatus(alert, "email")),
                    "delivered by email");
            assertThat(emailsAbout(keyId)).isEqualTo(1);
        }
    }

    @Test
    void aMessageClaimedByAnInstanceThatDiedIsSentOnceItsLeaseRunsOut() {
        try (SpendSyncInstance instance = withReceivers(SpendSyncInstance.builder()).start()) {
            String subject = "orphan-" + UUID.randomUUID();
            Instant now = Instant.now();
            Instant leaseEnd = now.plusSeconds(2);
            // what an instance leaves behind when it dies in the middle of sending: a claim that nobody will release
            instance.bean(MongoTemplate.class).insert(new Notification(UUID.randomUUID() + ":slack", "slack",
                    "brute-force:" + subject, "brute-force", Severity.HIGH, subject, null, null,
                    "20 unknown keys tried", 1, 0, now, now, now, Notification.Status.PENDING, 0, now, null, null,
                    null, "a-node-that-died", leaseEnd, null), "alert_outbox");

            await().atMost(Duration.ofSeconds(20)).until(() -> slack.postsAbout(subject).size() == 1);

            assertThat(slack.postsAbout(subject).get(0).receivedAt()).isAfterOrEqualTo(leaseEnd);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> slack.postsAbout(subject).size() == 1);
        }
    }

    private SpendSyncInstance.Builder withReceivers(SpendSyncInstance.Builder builder) {
        return builder.alertsTo(smtp.getSmtp().getPort(), slack.webhookUrl());
    }

    private long emailsAbout(String marker) {
        return AlertMail.about(smtp, marker).size();
    }
}
