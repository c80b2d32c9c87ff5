package com.spendsync.api.admin;

import java.time.Instant;

/** An operator asked for a projection to be rebuilt from the event store: an admin action, kept in the audit trail. */
public record ProjectionReplayRequestedEvent(String projection, Instant requestedAt) {
}
