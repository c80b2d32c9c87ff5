package com.spendsync.allinone.alerts;

import static com.spendsync.allinone.support.AlertListing.awaitAlert;
import static com.spendsync.allinone.support.AlertListing.deliveryStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Sorts;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.AlertMail;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SlackReceiver;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.security.AccessFailures;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alerts delivered by email through a real SMTP server (GreenMail) and to Slack through a local HTTP endpoint:
 * what the messages say, retries, Slack's rate limit, the cool-down, and a replay that must send nothing.
 */
class AlertDeliveryTest {

    private static final Duration COOLDOWN = Duration.ofSeconds(3);
    private static GreenMail smtp;
    private static SlackReceiver slack;
    private static SpendSyncInstance instance;
    private static Api api;

    @BeforeAll
    static void start() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        slack = new SlackReceiver();
        instance = SpendSyncInstance.builder()
                .alertsTo(smtp.getSmtp().getPort(), slack.webhookUrl())
                .property("spendsync.alerts.delivery.email.to-high", "security@bank.test, oncall@bank.test")
                .property("spendsync.alerts.delivery.initial-backoff", "PT0.2S")
                .property("spendsync.alerts.delivery.max-backoff", "PT1S")
                .property("spendsync.alerts.delivery.cooldown", COOLDOWN.toString())
                .property("spendsync.alerts.brute-force.threshold", "1")
                .start();
        api = instance.api();
    }

    @AfterAll
    static void stop() {
        instance.close();
        slack.close();
        smtp.stop();
    }

    @Test
    void anAlertIsEmailedAndPostedToSlackNamingTheKeyButNeverItsSecret() throws Exception {
        Api.Reply created = api.createKey(rootKey("keys:read"));
        String keyId = created.text("keyId");
        String secret = created.text("key");
        String alertId = "privilege-change:" + keyId;

        MimeMessage email = awaitEmailAbout(keyId);
        assertThat(email.getSubject()).isEqualTo("[SpendSync HIGH] privilege-change: " + keyId);
        assertThat(addresses(email.getFrom())).containsExactly("alerts@spendsync.test");
        assertThat(addresses(email.getRecipients(Message.RecipientType.TO)))
                .containsExactlyInAnyOrder("security@bank.test", "oncall@bank.test");
        String body = GreenMailUtil.getBody(email);
        assertThat(body).contains("key created with management permissions [keys:read]", "Key: " + keyId,
                "prefix " + created.text("prefix"), "Alert: " + alertId);
        assertThat(GreenMailUtil.getWholeMessage(email)).doesNotContain(secret, secret.substring(8, 51));

        SlackReceiver.Post post = awaitSlackPostsAbout(keyId, 1).get(0);
        assertThat(post.contentType()).startsWith("application/json");
        JsonNode message = post.json();
        assertThat(message.path("text").asText()).contains("privilege-change", keyId);
        assertThat(message.path("blocks").get(0).path("type").asText()).isEqualTo("header");
        assertThat(message.path("blocks").get(0).path("text").path("text").asText())
                .isEqualTo("HIGH alert: privilege-change");
        assertThat(message.path("blocks").get(2).path("fields").toString()).contains(keyId, created.text("prefix"));
        assertThat(post.body()).doesNotContain(secret, secret.substring(8, 51));

        JsonNode alert = awaitAlert(api, alertId, a -> "delivered".equals(deliveryStatus(a, "email"))
                && "delivered".equals(deliveryStatus(a, "slack")), "delivered on both channels");
        assertThat(alert.path("deliveries").path("slack").path("attempts").asInt()).isEqualTo(1);
        try (MongoClient mongo = MongoClients.create(instance.mongoUri())) {
            List<String> outbox = mongo.getDatabase("spendsync").getCollection("alert_outbox").find()
                    .sort(Sorts.ascending("_id"))
                    .map(Document::toJson).into(new ArrayList<>());
            assertThat(outbox).isNotEmpty().noneMatch(entry -> entry.contains(secret.substring(8, 51)));
            // kept as long as the audit trail keeps its entries (AUDIT_RETENTION_DAYS, 90), then dropped by MongoDB
            Document delivered = mongo.getDatabase("spendsync").getCollection("alert_outbox")
                    .find(new Document("alertId", alertId)).first();
            assertThat(delivered.getDate("expireAt").toInstant())
                    .isBetween(Instant.now().plus(Duration.ofDays(89)), Instant.now().plus(Duration.ofDays(91)));
        }
        assertThat(alert.path("keyPrefix").asText()).isEqualTo(created.text("prefix"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(auditTypes(alertId)).contains("AlertRaised");
            assertThat(api.get("/v1/audit-logs?eventType=AlertDelivered&resourceId=" + alertId).json()
                    .path("items")).hasSize(2);
        });
    }

    @Test
    void aSlackFailureIsRetriedUntilItSucceedsAndEveryOutcomeIsInTheAuditTrail() {
        // scripted before the key exists, since the alert can reach Slack before createKey returns
        String marker = uniquePermission();
        slack.answerNext(marker, SlackReceiver.Reply.status(500), SlackReceiver.Reply.status(503));
        String keyId = api.createKey(rootKey("keys:read", marker)).text("keyId");

        List<SlackReceiver.Post> posts = awaitSlackPostsAbout(keyId, 3);

        assertThat(posts).extracting(SlackReceiver.Post::answeredWith).containsExactly(500, 503, 200);
        String alertId = "privilege-change:" + keyId;
        JsonNode alert = awaitAlert(api, alertId, a -> "delivered".equals(deliveryStatus(a, "slack")),
                "delivered to Slack");
        assertThat(alert.path("deliveries").path("slack").path("attempts").asInt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode failures = api.get("/v1/audit-logs?eventType=AlertDeliveryFailed&resourceId=" + alertId)
                    .json().path("items");
            assertThat(failures).hasSize(2);
            assertThat(failures.get(0).path("severity").asText()).isEqualTo("WARNING");
        });
        String metrics = api.get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern(
                "spendsync_alerts_delivery_attempts_total\\{channel=\"slack\",outcome=\"retrying\"} [1-9]");
        assertThat(metrics).containsPattern(
                "spendsync_alerts_delivery_attempts_total\\{channel=\"slack\",outcome=\"delivered\"} [1-9]");
        assertThat(metrics).contains("spendsync_alerts_outbox_pending{channel=\"email\"}");
    }

    @Test
    void slacksRetryAfterIsWaitedOutBeforePostingAgain() {
        String marker = uniquePermission();
        slack.answerNext(marker, SlackReceiver.Reply.tooManyRequests(2));
        String keyId = api.createKey(rootKey("keys:read", marker)).text("keyId");

        List<SlackReceiver.Post> posts = awaitSlackPostsAbout(keyId, 2);

        assertThat(posts.get(0).answeredWith()).isEqualTo(429);
        assertThat(posts.get(1).answeredWith()).isEqualTo(200);
        // honouring Retry-After is a lower bound on the wait, not a performance figure
        assertThat(Duration.between(posts.get(0).receivedAt(), posts.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aWebhookSlackNoLongerKnowsFailsAtOnceWithoutRetrying() {
        String marker = uniquePermission();
        slack.answerNext(marker, new SlackReceiver.Reply(404, "no_service", Map.of()));
        String keyId = api.createKey(rootKey("keys:read", marker)).text("keyId");
        String alertId = "privilege-change:" + keyId;

        JsonNode alert = awaitAlert(api, alertId, a -> "failed".equals(deliveryStatus(a, "slack")), "failed on Slack");

        assertThat(alert.path("deliveries").path("slack").path("attempts").asInt()).isEqualTo(1);
        assertThat(alert.path("deliveries").path("slack").path("lastError").asText())
                .isEqualTo("Slack answered 404: no_service");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> slack.postsAbout(keyId).size() == 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode failed = api.get("/v1/audit-logs?eventType=AlertDeliveryFailed&resourceId=" + alertId).json()
                    .path("items");
            assertThat(failed).hasSize(1);
            assertThat(failed.get(0).path("metadata").hasNonNull("retryAt")).as(failed.toString()).isFalse();
            assertThat(failed.get(0).path("metadata").path("error").asText())
                    .isEqualTo("Slack answered 404: no_service");
        });
    }

    @Test
    void raisesWithinTheCooldownAreHeldBackAndCountedInTheNextMessage() throws Exception {
        String source = "throttle-" + UUID.randomUUID();
        String alertId = "brute-force:" + source;
        Instant firstRaise = Instant.now();
        // three raises a few milliseconds apart, well inside the cool-down, which runs on the raises' own times
        for (int raise = 1; raise <= 3; raise++) {
            refuseOnceFrom(source);
        }
        awaitAlert(api, alertId, a -> a.path("count").asLong() == 3, "raised 3 times");
        awaitSlackPostsAbout(source, 1);
        awaitEmailAbout(source);

        await().pollDelay(Duration.between(Instant.now(), firstRaise.plus(COOLDOWN))
                .plusMillis(200).abs()).atMost(Duration.ofSeconds(30)).until(() -> true);
        refuseOnceFrom(source);

        List<SlackReceiver.Post> posts = awaitSlackPostsAbout(source, 2);
        assertThat(posts.get(0).body()).doesNotContain("Held back");
        assertThat(posts.get(1).json().path("blocks").get(2).path("fields").toString())
                .contains("*Held back*\\n2 times since the previous message", "4 times");
        await().atMost(Duration.ofSeconds(10)).until(() -> emailsAbout(source).size() == 2);
        assertThat(GreenMailUtil.getBody(emailsAbout(source).get(1)))
                .contains("Held back: 2 times since the previous message (cool-down)");
        JsonNode alert = AlertListing.find(api, alertId);
        assertThat(alert.path("count").asLong()).isEqualTo(4);
        assertThat(alert.path("deliveries").path("email").path("notifications").asLong()).isEqualTo(2);
    }

    @Test
    void aReplayOfTheAlertsSendsNothingAgainAndKeepsTheDeliveryRecord() {
        String keyId = api.createKey(rootKey("keys:read")).text("keyId");
        String alertId = "privilege-change:" + keyId;
        awaitAlert(api, alertId, a -> "delivered".equals(deliveryStatus(a, "slack"))
                && "delivered".equals(deliveryStatus(a, "email")), "delivered");
        int postsBefore = slack.posts().size();
        int emailsBefore = smtp.getReceivedMessages().length;
        int replaysBefore = api.get("/v1/audit-logs?eventType=ProjectionReplayRequested").json().path("items").size();

        await().atMost(Duration.ofSeconds(10)).until(() -> raisesAudited(alertId) == 1);

        assertThat(api.post("/v1/admin/projections/alerting/replay", Map.of()).status()).isEqualTo(202);
        // the request is recorded; the listing reports the projection as replaying until its rebuild caught up
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/audit-logs?eventType=ProjectionReplayRequested")
                .json().path("items").size() > replaysBefore);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode alerting = projection("alerting");
            assertThat(alerting.path("replaying").asBoolean()).as(alerting.toString()).isFalse();
            assertThat(alerting.path("status").asText()).isEqualTo("running");
        });

        JsonNode rebuilt = awaitAlert(api, alertId);
        assertThat(rebuilt.path("count").asLong()).isEqualTo(1);
        assertThat(deliveryStatus(rebuilt, "slack")).isEqualTo("delivered");
        // nothing sent, and the rebuilt raise not recorded again as if it had just happened
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                slack.posts().size() == postsBefore && smtp.getReceivedMessages().length == emailsBefore
                        && raisesAudited(alertId) == 1);
    }

    private static int raisesAudited(String alertId) {
        return api.get("/v1/audit-logs?eventType=AlertRaised&resourceId=" + alertId).json().path("items").size();
    }

    @Test
    void anEmailRecipientWithoutAnSmtpServerStopsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> SpendSyncInstance.builder()
                .property("spendsync.alerts.delivery.email.from", "alerts@spendsync.test")
                .property("spendsync.alerts.delivery.email.to", "oncall@bank.test").start())
                .hasStackTraceContaining("Alert email recipients are set (ALERT_EMAIL_TO...) but no SMTP server is");
    }

    @Test
    void aMalformedWebhookStopsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> SpendSyncInstance.builder()
                .property("spendsync.alerts.delivery.slack.webhook", "hooks.slack.com/services/x").start())
                .hasStackTraceContaining("spendsync.alerts.delivery.slack.webhook (ALERT_SLACK_WEBHOOK) must be an "
                        + "absolute https URL");
    }

    private static JsonNode projection(String name) {
        for (JsonNode projection : api.get("/v1/admin/projections").json()) {
            if (projection.path("name").asText().equals(name)) {
                return projection;
            }
        }
        throw new AssertionError("no projection " + name);
    }

    private static void refuseOnceFrom(String source) {
        String key = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();
        String malformed = key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");
        api.post("/v1/keys/verify", Map.of("key", malformed, "source", source));
        instance.bean(AccessFailures.class).flush();
    }

    private static List<String> auditTypes(String alertId) {
        return api.get("/v1/audit-logs?resourceId=" + alertId).json().path("items").findValuesAsText("eventType");
    }

    private static MimeMessage awaitEmailAbout(String marker) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !emailsAbout(marker).isEmpty());
        return emailsAbout(marker).get(0);
    }

    private static List<MimeMessage> emailsAbout(String marker) {
        return AlertMail.about(smtp, marker);
    }

    private static List<SlackReceiver.Post> awaitSlackPostsAbout(String marker, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.postsAbout(marker).size() >= count);
        return slack.postsAbout(marker);
    }

    private static List<String> addresses(Address[] addresses) {
        return Arrays.stream(addresses).map(Address::toString).toList();
    }

    /** A permission no other key has: it appears in the alert's detail, so a scripted reply can wait for it. */
    private static String uniquePermission() {
        return "marker." + UUID.randomUUID().toString().replace("-", "");
    }

    private static Map<String, Object> rootKey(String... permissions) {
        return Map.of("ownerId", "delivery-" + UUID.randomUUID(), "name", "delivery test key",
                "permissions", List.of(permissions));
    }
}
