package com.spendsync.alerting.delivery;

import java.time.Instant;

/**
 * How an alert's messages fared on one channel, as the alert listing shows it: the latest message's status
 * ({@code pending}, {@code delivered}, {@code failed}), its attempts, and how many messages were sent in all.
 */
public record ChannelDelivery(String status, long notifications, int attempts, Instant lastAttemptAt,
                              Instant deliveredAt, String lastError) {

    /** No message queued for this alert on a channel that is set up: raised during a replay, or throttled. */
    public static final ChannelDelivery NOT_SENT = new ChannelDelivery("not-sent", 0, 0, null, null, null);
    /** The channel is not set up on this deployment. */
    public static final ChannelDelivery DISABLED = new ChannelDelivery("disabled", 0, 0, null, null, null);
}
