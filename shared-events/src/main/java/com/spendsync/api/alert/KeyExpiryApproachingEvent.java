package com.spendsync.api.alert;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Duration;
import java.time.Instant;

/**
 * The alerting projector saw, at {@code observedAt}, that a key expires at {@code expiresAt}, within
 * {@code threshold}: a fact of the alerting projector, recorded so that a replay knows the warning was given. Two
 * instances may record the same fact; it counts once per key, threshold and {@code expiresAt}.
 *
 * @param threshold an ISO-8601 duration such as {@code PT168H}
 */
public record KeyExpiryApproachingEvent(String keyId, Instant expiresAt,
                                        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration threshold,
                                        Instant observedAt) {

    /** The alert rule this fact raises. */
    public static final String RULE = "expiring-soon";

    /** The alert it raises, as {@link AlertRaisedEvent#alertId()} names it. */
    public String alertId() {
        return RULE + ":" + keyId;
    }
}
