package com.spendsync.allinone.bench;

import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SlackReceiver;
import com.spendsync.allinone.support.SpendSyncInstance;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * The alert latency benchmark (bench/alert-latency-bench.sh runs it; a plain test run skips it): time from the commit
 * of the event that raises an alert to the SMTP server (GreenMail) and the Slack endpoint (a local HTTP receiver)
 * receiving the message, in all-in-one mode on the embedded servers. Each alert is a privilege-change on a new root
 * key, created at a steady pace. In the same run and against the same receivers, the baseline: the channel alone,
 * one email handed straight to Spring's mail sender and one direct POST, from the call to the receipt. No assertion
 * on any figure: it prints them to {@code target/alert-latency-bench.txt}.
 */
class AlertLatencyBench {

    private static final int ALERTS = Integer.getInteger("bench.alerts", 200);
    private static final int PER_SECOND = Integer.getInteger("bench.rate", 5);

    @Test
    void alertLatencyFromCommitToReceipt() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: run it with bench/alert-latency-bench.sh");
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (SlackReceiver slack = new SlackReceiver();
             SpendSyncInstance instance = SpendSyncInstance.builder()
                     .alertsTo(smtp.getSmtp().getPort(), slack.webhookUrl()).start();
             EventStoreProbe eventStore = new EventStoreProbe(instance.mongoUri())) {
            List<String> baselineLines = baseline(instance.bean(JavaMailSender.class), smtp, slack);

            List<String> keyIds = new ArrayList<>();
            long pause = 1000L / PER_SECOND;
            for (int i = 0; i < ALERTS; i++) {
                long started = System.nanoTime();
                keyIds.add(instance.api().createKey(Map.of("ownerId", "bench-alerts", "name", "alert " + i,
                        "permissions", List.of("keys:read"))).text("keyId"));
                long left = pause - (System.nanoTime() - started) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
            }
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    keyIds.stream().allMatch(id -> !slack.postsAbout(id).isEmpty()) && emailReceipts(smtp).keySet()
                            .containsAll(keyIds));

            Map<String, Instant> emails = emailReceipts(smtp);
            MongoCollection<Document> events = eventStore.client().getDatabase(EventStoreProbe.AUDIT_DATABASE)
                    .getCollection("domainevents");
            List<Long> toRaise = new ArrayList<>();
            List<Long> toEmail = new ArrayList<>();
            List<Long> toSlack = new ArrayList<>();
            for (String keyId : keyIds) {
                Instant committed = timestampOf(events.find(Filters.and(
                        Filters.eq("aggregateIdentifier", keyId), Filters.eq("sequenceNumber", 0L))).first());
                Instant raised = timestampOf(events.find(Filters.and(Filters.eq("payloadType",
                        "com.spendsync.api.alert.AlertRaisedEvent"), Filters.regex("serializedPayload",
                        "privilege-change:" + keyId))).first());
                toRaise.add(Duration.between(committed, raised).toMillis());
                toEmail.add(Duration.between(committed, emails.get(keyId)).toMillis());
                toSlack.add(Duration.between(committed, slack.postsAbout(keyId).get(0).receivedAt()).toMillis());
            }
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "alerts: %d privilege-change alerts, one new root key every %d ms, "
                    + "all-in-one on the embedded servers, %d cores", ALERTS, pause,
                    Runtime.getRuntime().availableProcessors()));
            lines.add(row("commit -> AlertRaised recorded", toRaise));
            lines.add(row("commit -> SMTP server received", toEmail));
            lines.add(row("commit -> Slack endpoint received", toSlack));
            lines.addAll(baselineLines);
            Path report = Path.of("target", "alert-latency-bench.txt");
            Files.write(report, lines);
            lines.forEach(System.out::println);
        } finally {
            smtp.stop();
        }
    }

    /** The channels alone: an email handed to the mail sender and a POST, each from the call to the receipt. */
    private static List<String> baseline(JavaMailSender mail, GreenMail smtp, SlackReceiver slack)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<Long> email = new ArrayList<>();
        List<Long> post = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String marker = "baseline-" + i;
            Instant sent = Instant.now();
            SimpleMailMessage message = new SimpleMailMessage();
            message.setFrom("alerts@spendsync.test");
            message.setTo("oncall@bank.test");
            message.setSubject("[SpendSync HIGH] " + marker);
            message.setText("x".repeat(600));
            mail.send(message);
            email.add(Duration.between(sent, emailReceipts(smtp).get(marker)).toMillis());
            Instant posted = Instant.now();
            http.send(HttpRequest.newBuilder(URI.create(slack.webhookUrl()))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + marker + "\"}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            post.add(Duration.between(posted, slack.postsAbout(marker).get(0).receivedAt()).toMillis());
        }
        return List.of(row("baseline: mail sender call -> SMTP server received", email),
                row("baseline: POST call -> Slack endpoint received", post));
    }

    /** When GreenMail stored each message, by the key id or marker at the end of its subject. */
    private static Map<String, Instant> emailReceipts(GreenMail smtp) {
        Map<String, Instant> receipts = new HashMap<>();
        for (StoredMessage stored : smtp.getManagers().getImapHostManager().getAllMessages()) {
            try {
                String subject = stored.getMimeMessage().getSubject();
                receipts.putIfAbsent(subject.substring(subject.lastIndexOf(' ') + 1),
                        stored.getReceivedDate().toInstant());
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return receipts;
    }

    private static Instant timestampOf(Document event) {
        return Instant.parse(event.getString("timestamp"));
    }

    private static String row(String what, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format(Locale.ROOT, "%-52s n=%d  p50 %5d ms  p95 %5d ms  p99 %5d ms  max %5d ms", what,
                sorted.size(), percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                sorted.get(sorted.size() - 1));
    }

    private static long percentile(List<Long> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
