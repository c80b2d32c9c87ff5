package com.spendsync.alerting.alert;

import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;

/**
 * A rule matched {@code subject} on the event {@code eventId}, which happened {@code at}. {@code keyId},
 * {@code keyPrefix}, {@code ownerId} and {@code environment} name the key concerned (all null for a rule about a
 * source, whose alerts only unscoped live root keys read); {@code detail} says in one sentence what was seen, for the
 * alert's reader. Neither may ever hold a secret.
 */
public record Raise(String rule, Severity severity, String subject, String keyId, String keyPrefix, String detail,
                    String eventId, Instant at, String ownerId, KeyEnvironment environment) {

    /** A raise about a source, not a key. */
    public static Raise aboutSource(String rule, Severity severity, String source, String detail, String eventId,
                                    Instant at) {
        return new Raise(rule, severity, source, null, null, detail, eventId, at, null, null);
    }

    public String alertId() {
        return rule + ":" + subject;
    }
}
