package com.spendsync.platform.security;

import com.spendsync.api.authority.AuthorityException;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.logging.LogSafe;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Counts refused requests (verifications of unknown, malformed, revoked or expired keys and of rate-limited ones,
 * 401, 403) per kind, source and key in memory, and records them every flush interval as one
 * {@link AccessFailuresObservedEvent} per kind, source and key. Counting costs no I/O on the request path, so a
 * malformed key still touches neither Redis nor MongoDB, and a flood adds a handful of events per interval. A process
 * that dies loses at most its last interval of counts.
 */
@Component
public class AccessFailures {

    public static final String MALFORMED_KEY = "MALFORMED_KEY";
    public static final String UNKNOWN_KEY = "UNKNOWN_KEY";
    public static final String RATE_LIMITED = "RATE_LIMITED";
    public static final String REVOKED_KEY = "REVOKED_KEY";
    public static final String EXPIRED_KEY = "EXPIRED_KEY";
    /** A key verified from a source outside its allowed networks. */
    public static final String FORBIDDEN_SOURCE = "FORBIDDEN_SOURCE";
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    public static final String FORBIDDEN = "FORBIDDEN";
    /** A root key refused because the key it wanted to act on holds power it lacks: {@code keyId} is that key. */
    public static final String PRIVILEGE_ESCALATION = "PRIVILEGE_ESCALATION";
    static final String ACTOR = "system:security";
    private static final int MAX_SOURCE = 128;
    private static final Logger log = LoggerFactory.getLogger(AccessFailures.class);

    private final EventGateway events;
    private final Clock clock;
    private final Map<Tally.Key, Tally> window = new ConcurrentHashMap<>();

    public AccessFailures(EventGateway events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    public void record(String kind, String source, String keyId) {
        record(kind, source, keyId, null);
    }

    /**
     * A refusal of the authority rule: an attempt on a stronger key as a privilege escalation naming both keys, any
     * other as a 403 of the caller.
     */
    public void record(AuthorityException refusal, String source) {
        if (refusal.reason() == AuthorityException.Reason.STRONGER_KEY) {
            record(PRIVILEGE_ESCALATION, source, refusal.targetKeyId(), refusal.callerKeyId());
        } else {
            record(FORBIDDEN, source, refusal.callerKeyId());
        }
    }

    /** A refusal of a request by the root key {@code byKeyId} about the key {@code keyId}. */
    public void record(String kind, String source, String keyId, String byKeyId) {
        Instant now = clock.instant();
        String boundedSource = source == null ? "unknown" : source.length() > MAX_SOURCE
                ? source.substring(0, MAX_SOURCE) : source;
        // compute and remove are atomic per key, so a count lands either in the tally a flush takes or in a new one
        window.compute(new Tally.Key(kind, boundedSource, keyId, byKeyId),
                (key, tally) -> tally == null ? new Tally(now) : tally.add(now));
    }

    @Scheduled(fixedDelayString = "${spendsync.security.flush-interval}")
    public void flush() {
        for (Tally.Key key : window.keySet()) {
            Tally tally = window.remove(key);
            if (tally == null) {
                continue;
            }
            try {
                events.publish(GenericEventMessage.asEventMessage(new AccessFailuresObservedEvent(key.kind(),
                        key.source(), key.keyId(), key.byKeyId(), tally.count(), tally.firstSeen(),
                        tally.lastSeen()))
                        .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, ACTOR)));
            } catch (RuntimeException e) {
                log.warn("Could not record {} refusals of kind {} from {}: {}", tally.count(), key.kind(),
                        LogSafe.escape(key.source()), LogSafe.escape(e.toString()));
            }
        }
    }

    /**
     * Refusals of one kind from one source, about one key or none, within the current window. Changed only inside
     * the window's {@code compute}, read only after the window's {@code remove}: the map orders both.
     */
    private static final class Tally {
        private final Instant firstSeen;
        private Instant lastSeen;
        private long count = 1;

        record Key(String kind, String source, String keyId, String byKeyId) {
        }

        Tally(Instant firstSeen) {
            this.firstSeen = firstSeen;
            this.lastSeen = firstSeen;
        }

        Tally add(Instant at) {
            count++;
            lastSeen = at;
            return this;
        }

        long count() {
            return count;
        }

        Instant firstSeen() {
            return firstSeen;
        }

        Instant lastSeen() {
            return lastSeen;
        }
    }
}
