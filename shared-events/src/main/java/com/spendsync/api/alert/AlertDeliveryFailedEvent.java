package com.spendsync.api.alert;

import java.time.Instant;

/**
 * An attempt to send a message about an alert failed. {@code retryAt} is when it will be tried again, or null when
 * it will not: the channel refused it for good or the attempts ran out.
 */
public record AlertDeliveryFailedEvent(String alertId, String notificationId, String channel, int attempt,
                                       String error, Instant retryAt, Instant failedAt) {

    public boolean givenUp() {
        return retryAt == null;
    }
}
