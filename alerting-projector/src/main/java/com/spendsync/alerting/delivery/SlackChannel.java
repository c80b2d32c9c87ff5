package com.spendsync.alerting.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.alerting.alert.Severity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A Slack incoming webhook, posted a Block Kit message. 2xx is delivered; 429 waits as long as {@code Retry-After}
 * says; 408 and 5xx and an unreachable Slack are retried; any other 4xx (a revoked or mistyped webhook, a payload
 * Slack refuses) is final. The webhook URL is a credential: it appears in no error text.
 */
class SlackChannel implements AlertChannel {

    static final String NAME = "slack";
    /** A Retry-After longer than this is treated as this: a notification should not sleep for days. */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);
    /** Slack sends Retry-After with every 429; should one come without, wait this long rather than not at all. */
    private static final Duration RATE_LIMITED_WAIT = Duration.ofSeconds(1);
    /** Slack caps a field's text at 2000 characters: two code spans this long fit in one, with the field's name. */
    private static final int CODE_SPAN_LIMIT = 900;

    private final DeliverySettings.Slack settings;
    private final URI webhook;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;

    SlackChannel(DeliverySettings.Slack settings, ObjectMapper json, Clock clock) {
        this.settings = settings;
        this.webhook = settings.webhookUri();
        this.json = json;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean accepts(Severity severity) {
        return settings.accepts(severity);
    }

    @Override
    public Result send(Notification notification) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(webhook).timeout(settings.timeout())
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(message(notification))))
                    .build();
        } catch (IOException e) {
            return new Rejected(Failures.describe(e));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Retry(redacted(Failures.describe(e)), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Retry("interrupted while posting to Slack", null);
        }
        int status = response.statusCode();
        String answer = "Slack answered " + status + (response.body().isBlank() ? "" : ": " + response.body());
        if (status >= 200 && status < 300) {
            return new Delivered();
        }
        if (status == 429) {
            return new Retry(Failures.bounded(answer), retryAfter(response).orElse(RATE_LIMITED_WAIT));
        }
        if (status == 408 || status >= 500) {
            return new Retry(Failures.bounded(answer), null);
        }
        return new Rejected(Failures.bounded(answer));
    }

    /**
     * The Block Kit message: a header, the detail, the facts as fields, and the alert's id for the trail. Every
     * mrkdwn text is {@code verbatim}, so a URL a client chose as its source shows as text, not as a link, and ids
     * show as code spans that client text cannot end.
     */
    ObjectNode message(Notification n) {
        ObjectNode message = json.createObjectNode();
        message.put("text", escaped(AlertMessages.title(n) + ": " + AlertMessages.summary(n)));
        message.put("mrkdwn", false);
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", truncated(n.severity() + " alert: " + n.rule(), 150));
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("verbatim", true)
                .put("text", escaped(AlertMessages.summary(n)));
        ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
        field(fields, "Subject", code(AlertMessages.plain(n.subject())));
        if (n.keyId() != null) {
            field(fields, "Key", code(n.keyId()) + (n.keyPrefix() != null ? " (prefix " + code(n.keyPrefix()) + ")"
                    : ""));
        }
        field(fields, "Seen", AlertMessages.times(n.count()) + ", last "
                + DateTimeFormatter.ISO_INSTANT.format(n.lastSeen()));
        field(fields, "First seen", DateTimeFormatter.ISO_INSTANT.format(n.firstSeen()));
        if (n.repeats() > 0) {
            field(fields, "Held back", AlertMessages.times(n.repeats()) + " since the previous message");
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("verbatim", true)
                .put("text", "SpendSync alert " + code(AlertMessages.plain(n.alertId())));
        return message;
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("verbatim", true)
                .put("text", "*" + name + "*\n" + value);
    }

    /** Text as a code span, cut short where it is too long but never inside an escape nor past the closing backtick. */
    private static String code(String text) {
        return "`" + escaped(text, CODE_SPAN_LIMIT) + "`";
    }

    private static String escaped(String text) {
        return escaped(text, Integer.MAX_VALUE);
    }

    /**
     * Slack reads {@code <...>} as links and mentions ({@code <!channel>}) and a backtick as the start or the end of a
     * code span: a client-chosen subject must do neither, so its backticks show as the look-alike U+02CB.
     */
    private static String escaped(String text, int max) {
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            int c = text.codePointAt(i);
            String shown = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '`' -> "\u02CB";
                default -> Character.toString(c);
            };
            if (escaped.length() + shown.length() > max) {
                return escaped.append("...").toString();
            }
            escaped.append(shown);
        }
        return escaped.toString();
    }

    private static String truncated(String text, int max) {
        return text.length() > max ? text.substring(0, max - 3) + "..." : text;
    }

    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::trim).flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    Duration wait = Duration.between(clock.instant(), at);
                    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
                } catch (DateTimeParseException notADate) {
                    return Optional.empty();
                }
            }
        }).map(wait -> wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait);
    }

    private String redacted(String text) {
        String path = webhook.getRawPath();
        String withoutUrl = text.replace(webhook.toString(), "<webhook>");
        return path != null && path.length() > 1 ? withoutUrl.replace(path, "<webhook path>") : withoutUrl;
    }
}
