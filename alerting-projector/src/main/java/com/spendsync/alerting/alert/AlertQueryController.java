package com.spendsync.alerting.alert;

import com.spendsync.alerting.delivery.ChannelDelivery;
import com.spendsync.alerting.delivery.Notifier;
import com.spendsync.alerting.delivery.Outbox;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.paging.Cursors;
import com.spendsync.platform.paging.PageLimits;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The alerts raised so far that the reader may see, most recently seen first. */
@RestController
class AlertQueryController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    private static final String CURSOR_KIND = "alerts";

    private final Alerts alerts;
    private final Outbox outbox;
    private final Notifier notifier;

    AlertQueryController(Alerts alerts, Outbox outbox, Notifier notifier) {
        this.alerts = alerts;
        this.outbox = outbox;
        this.notifier = notifier;
    }

    record AlertPage(List<AlertView> items, String nextCursor) {
    }

    /**
     * An alert as the listing shows it, with its delivery per channel: {@code email} and {@code slack} always, as
     * {@code disabled} where the channel is not set up.
     */
    record AlertView(String alertId, String rule, Severity severity, String subject, String keyId, String keyPrefix,
                     String detail, Instant firstSeen, Instant lastSeen, long count,
                     Map<String, ChannelDelivery> deliveries) {
    }

    @GetMapping("/v1/alerts")
    @RequiresPermission("alerts:read")
    AlertPage list(@RequestParam(required = false) String severity, @RequestParam(required = false) String from,
                   @RequestParam(required = false) String to, @RequestParam(required = false) Integer limit,
                   @RequestParam(required = false) String cursor, Caller caller) {
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        Alerts.Filter filter = filter(severity, from, to, pageSize);
        List<Alert> found = alerts.page(filter, caller.authority(), positionIn(cursor), pageSize + 1);
        List<Alert> items = found.stream().limit(pageSize).toList();
        Alert last = items.isEmpty() ? null : items.get(items.size() - 1);
        String next = found.size() > pageSize ? Cursors.encode(CURSOR_KIND,
                Long.toString(last.lastSeen().toEpochMilli()), last.alertId()) : null;
        Map<String, Map<String, ChannelDelivery>> deliveries = outbox.deliveriesOf(
                items.stream().map(Alert::alertId).toList());
        return new AlertPage(items.stream().map(alert -> view(alert, deliveries.getOrDefault(alert.alertId(),
                Map.of()))).toList(), next);
    }

    private AlertView view(Alert alert, Map<String, ChannelDelivery> sent) {
        Map<String, ChannelDelivery> perChannel = new TreeMap<>();
        for (String channel : Notifier.CHANNELS) {
            perChannel.put(channel, ChannelDelivery.DISABLED);
        }
        notifier.channelNames().forEach(channel -> perChannel.put(channel, ChannelDelivery.NOT_SENT));
        perChannel.putAll(sent);
        return new AlertView(alert.alertId(), alert.rule(), alert.severity(), alert.subject(), alert.keyId(),
                alert.keyPrefix(), alert.detail(), alert.firstSeen(), alert.lastSeen(), alert.count(), perChannel);
    }

    private static Alerts.Filter filter(String severity, String from, String to, int limit) {
        List<FieldProblem> problems = new ArrayList<>();
        Severity wanted = null;
        if (severity != null) {
            wanted = Arrays.stream(Severity.values()).filter(s -> s.name().equals(severity)).findFirst().orElse(null);
            if (wanted == null) {
                problems.add(new FieldProblem("severity", "must be one of " + Arrays.stream(Severity.values())
                        .map(Severity::name).collect(Collectors.joining(", "))));
            }
        }
        Instant since = instant(problems, "from", from);
        Instant until = instant(problems, "to", to);
        if (since != null && until != null && since.isAfter(until)) {
            problems.add(new FieldProblem("from", "must not be after to"));
        }
        PageLimits.check(limit, MAX_LIMIT, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new Alerts.Filter(wanted, since, until);
    }

    private static Instant instant(List<FieldProblem> problems, String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(value, Instant::from);
        } catch (DateTimeParseException e) {
            problems.add(new FieldProblem(field, "must be an ISO-8601 UTC instant such as 2030-01-31T12:00:00Z"));
            return null;
        }
    }

    private static Alerts.Position positionIn(String cursor) {
        List<String> position = Cursors.decode(cursor, CURSOR_KIND, 2);
        if (position == null) {
            return null;
        }
        try {
            return new Alerts.Position(Instant.ofEpochMilli(Long.parseLong(position.get(0))), position.get(1));
        } catch (NumberFormatException e) {
            throw Cursors.notIssuedHere();
        }
    }
}
