package com.spendsync.api.security;

import java.time.Instant;

/**
 * Refusals of one kind from one source, about one key or none, counted over a window and recorded as one event, so
 * that a flood of bad credentials or unknown keys adds one event per source and window to the audit trail, not one
 * per request.
 *
 * @param kind    verifications refused as {@code MALFORMED_KEY} or {@code UNKNOWN_KEY} (no {@code keyId}), or as
 *                {@code RATE_LIMITED}, {@code REVOKED_KEY} or {@code EXPIRED_KEY} ({@code keyId} naming the key
 *                presented; {@code EXPIRED_KEY} also for a previous secret past its grace period);
 *                {@code UNAUTHENTICATED} (401) or {@code FORBIDDEN} (403, {@code keyId} naming the root key that
 *                lacked the permission), or {@code PRIVILEGE_ESCALATION} (403: {@code keyId} naming the key whose
 *                power the root key {@code byKeyId} lacked, when it asked to act on it)
 * @param source  the end client's address or id as the gateway passed it, else the caller's address
 * @param byKeyId the root key whose request was refused, where the kind names another key in {@code keyId}
 */
public record AccessFailuresObservedEvent(String kind, String source, String keyId, String byKeyId, long count,
                                          Instant firstSeen, Instant lastSeen) {
}
