package com.spendsync.alerting.alert;

import java.time.Instant;

/** A rule matched {@code subject} on the event {@code eventId}, which happened {@code at}. */
public record Raise(String rule, Severity severity, String subject, String eventId, Instant at) {

    public String alertId() {
        return rule + ":" + subject;
    }
}
