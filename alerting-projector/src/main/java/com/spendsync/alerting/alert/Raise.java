package com.spendsync.alerting.alert;

import java.time.Instant;

/**
 * A rule matched {@code subject} on the event {@code eventId}, which happened {@code at}. {@code keyId} and
 * {@code keyPrefix} name the key concerned (null for a rule about a source); {@code detail} says in one sentence
 * what was seen, for the alert's reader. Neither may ever hold a secret.
 */
public record Raise(String rule, Severity severity, String subject, String keyId, String keyPrefix, String detail,
                    String eventId, Instant at) {

    public String alertId() {
        return rule + ":" + subject;
    }
}
