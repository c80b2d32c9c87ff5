package com.spendsync.api.alert;

import java.time.Instant;

/**
 * A message about an alert reached its channel ({@code email} or {@code slack}) on attempt {@code attempts}.
 *
 * @param notificationId the outbox entry: the raising event's id and the channel
 */
public record AlertDeliveredEvent(String alertId, String notificationId, String channel, int attempts,
                                  Instant deliveredAt) {
}
