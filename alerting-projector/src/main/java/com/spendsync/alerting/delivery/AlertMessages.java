package com.spendsync.alerting.delivery;

import java.time.format.DateTimeFormatter;

/**
 * The words of an alert message, shared by every channel. Subjects can come from clients (a source is whatever the
 * gateway passed), so they are quoted as data and stripped of line breaks and control characters.
 */
final class AlertMessages {

    private AlertMessages() {
    }

    static String title(Notification n) {
        return "[SpendSync " + n.severity() + "] " + n.rule() + ": " + plain(n.subject());
    }

    /** The facts of the alert, one per line, as "name: value". */
    static String facts(Notification n) {
        StringBuilder text = new StringBuilder();
        line(text, "Rule", n.rule());
        line(text, "Severity", n.severity().name());
        line(text, "Subject", plain(n.subject()));
        if (n.keyId() != null) {
            line(text, "Key", n.keyId() + (n.keyPrefix() != null ? " (prefix " + n.keyPrefix() + ")" : ""));
        }
        line(text, "Seen", times(n.count()) + ", first " + instant(n) + ", last "
                + DateTimeFormatter.ISO_INSTANT.format(n.lastSeen()));
        if (n.repeats() > 0) {
            line(text, "Held back", times(n.repeats()) + " since the previous message (cool-down)");
        }
        line(text, "Alert", plain(n.alertId()));
        return text.toString();
    }

    static String summary(Notification n) {
        return plain(n.detail() != null ? n.detail() : n.rule() + " on " + n.subject());
    }

    static String times(long count) {
        return count == 1 ? "once" : count + " times";
    }

    /**
     * One line of text: control characters (C0 and C1, line breaks and NEL included) and the Unicode line and paragraph
     * separators become spaces; at most 500 characters.
     */
    static String plain(String value) {
        if (value == null) {
            return "";
        }
        String flat = value.replaceAll("[\\p{Cc}\\u2028\\u2029]", " ");
        return flat.length() > 500 ? flat.substring(0, 500) + "..." : flat;
    }

    private static String instant(Notification n) {
        return DateTimeFormatter.ISO_INSTANT.format(n.firstSeen());
    }

    private static void line(StringBuilder text, String name, String value) {
        text.append(name).append(": ").append(value).append('\n');
    }
}
