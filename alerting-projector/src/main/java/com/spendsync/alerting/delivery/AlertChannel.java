package com.spendsync.alerting.delivery;

import com.spendsync.alerting.alert.Severity;
import java.time.Duration;

/** A way of telling people about an alert. */
interface AlertChannel {

    /** The channel's name in the outbox, the listing and the audit trail. */
    String name();

    /** Whether alerts of this severity go to this channel at all. */
    boolean accepts(Severity severity);

    /** How many threads send for this channel at once. */
    default int senders() {
        return 1;
    }

    /** One attempt to send; never throws for a failure of the receiving side, it reports it. */
    Result send(Notification notification);

    /** The outcome of one attempt. */
    sealed interface Result permits Delivered, Retry, Rejected {
    }

    record Delivered() implements Result {
    }

    /**
     * Worth trying again: the receiver failed, was unreachable or asked to wait. {@code after} is the wait it
     * asked for (Slack's {@code Retry-After}), null to back off as usual.
     */
    record Retry(String error, Duration after) implements Result {
    }

    /** The receiver refused the message for good (a revoked webhook, an address it will never take). */
    record Rejected(String error) implements Result {
    }
}
