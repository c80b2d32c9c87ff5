package com.spendsync.api.alert;

import java.time.Instant;

/**
 * An alert rule matched: a fact of the alerting projector, not of any aggregate. Recorded once per raise as it
 * happens, never during a replay, so a rebuild cannot notify anyone twice.
 *
 * @param alertId {@code rule:subject}, the same for every raise of the same open alert
 * @param count   how many times the alert has been raised, this raise included
 */
public record AlertRaisedEvent(String alertId, String rule, String severity, String subject, long count,
                               Instant raisedAt) {
}
