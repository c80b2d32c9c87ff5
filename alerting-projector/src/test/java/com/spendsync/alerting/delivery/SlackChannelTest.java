package com.spendsync.alerting.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.alerting.alert.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    /** Client text keeps to its code span: its backticks show as the look-alike U+02CB, which Slack does not read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void aClientChosenSourceStaysInsideItsCodeSpan(String name, String subject, String shown) {
        ObjectNode message = channel.message(notification(subject));

        assertThat(subjectField(message)).isEqualTo("*Subject*\n`" + shown + "`");
        assertThat(context(message)).isEqualTo("SpendSync alert `brute-force:" + shown + "`");
        assertThat(message.path("blocks").get(1).path("text").path("text").asText())
                .isEqualTo("25 unknown or malformed keys tried from " + shown).doesNotContain("`");
        assertThat(message.toString()).doesNotContain("<!channel>");
    }

    static Stream<Arguments> subjects() {
        return Stream.of(
                Arguments.of("one backtick", "10.0.0.7` *bold*", "10.0.0.7\u02CB *bold*"),
                Arguments.of("a code fence", "```\n<!channel>\n```",
                        "\u02CB\u02CB\u02CB &lt;!channel&gt; \u02CB\u02CB\u02CB"),
                Arguments.of("a mention in backticks", "`<!channel>`", "\u02CB&lt;!channel&gt;\u02CB"),
                Arguments.of("line breaks", "a\nb\r\nc\u0085d\u2028e\u2029f", "a b  c d e f"));
    }

    @Test
    void aLongSubjectIsCutInsideItsCodeSpanAndNotInsideAnEscape() {
        ObjectNode message = channel.message(notification("&".repeat(600)));

        String field = subjectField(message);
        assertThat(field).startsWith("*Subject*\n`&amp;").endsWith("&amp;...`").hasSizeLessThanOrEqualTo(2000);
        assertThat(field.chars().filter(c -> c == '`').count()).isEqualTo(2);
        assertThat(context(message)).endsWith("&amp;...`");
    }

    @Test
    void theMessageIsBlockKitWithAPlainTextFallback() {
        ObjectNode message = channel.message(notification("10.0.0.7"));

        assertThat(message.path("text").asText()).isEqualTo(
                "[SpendSync HIGH] brute-force: 10.0.0.7: 25 unknown or malformed keys tried from 10.0.0.7");
        assertThat(message.path("blocks").findValuesAsText("type"))
                .startsWith("header", "plain_text", "section", "mrkdwn", "section");
    }

    private static String subjectField(ObjectNode message) {
        return message.path("blocks").get(2).path("fields").get(0).path("text").asText();
    }

    private static String context(ObjectNode message) {
        return message.path("blocks").get(3).path("elements").get(0).path("text").asText();
    }

    private static Notification notification(String subject) {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        return new Notification("event-1:slack", "slack", "brute-force:" + subject, "brute-force", Severity.HIGH,
                subject, null, null, "25 unknown or malformed keys tried from " + subject, 3, 0, now, now, now,
                Notification.Status.PENDING, 0, now, null, null, null, null, Instant.EPOCH, null);
    }
}
