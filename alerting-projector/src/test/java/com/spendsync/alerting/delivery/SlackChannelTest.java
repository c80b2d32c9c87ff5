package com.spendsync.alerting.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.alerting.alert.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SlackChannelTest {

    private final SlackChannel channel = new SlackChannel(new DeliverySettings.Slack(
            "https://hooks.slack.com/services/T/B/x", Severity.LOW, Duration.ofSeconds(10)), new ObjectMapper(),
            Clock.systemUTC());

    @Test
    void aClientChosenSourceCannotMentionTheChannelOrPlantALink() {
        ObjectNode message = channel.message(notification("<!channel> <https://evil.example|click> &\nnext"));

        String posted = message.toString();
        assertThat(posted).doesNotContain("<!channel>", "<https://evil.example");
        assertThat(message.path("blocks").get(2).path("fields").get(0).path("text").asText())
                .isEqualTo("*Subject*\n`&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; next`");
    }

    @Test
    void theMessageIsBlockKitWithAPlainTextFallback() {
        ObjectNode message = channel.message(notification("10.0.0.7"));

        assertThat(message.path("text").asText()).isEqualTo(
                "[SpendSync HIGH] brute-force: 10.0.0.7: 25 unknown or malformed keys tried from 10.0.0.7");
        assertThat(message.path("blocks").findValuesAsText("type"))
                .startsWith("header", "plain_text", "section", "mrkdwn", "section");
    }

    private static Notification notification(String subject) {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        return new Notification("event-1:slack", "slack", "brute-force:" + subject, "brute-force", Severity.HIGH,
                subject, null, null, "25 unknown or malformed keys tried from " + subject, 3, 0, now, now, now,
                Notification.Status.PENDING, 0, now, null, null, null, null, Instant.EPOCH, null);
    }
}
