package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;

/**
 * Checks stored events fed to it in chain order (by chain, then position) against their links and against the newest
 * sealed head of each chain, one event at a time and keeping only the current position's events, so a walk over the
 * whole store needs memory for the sealed heads only. The same walk serves the online check (documents read through
 * the chain index) and the offline verifier (an export sorted the same way).
 */
public final class ChainWalk {

    private final EventEntryConfiguration fields;
    private final Map<String, Seal.SealedHead> sealed;
    private final Map<String, Seal.SealedHead> start;
    private final Instant chainedSince;
    private final Consumer<IntegrityProblem> problems;
    private final Set<String> walked = new HashSet<>();
    private final List<Link> atPosition = new ArrayList<>();

    private String chain;
    private long position;
    private long unsealedOnChain;
    private long eventsChecked;
    private long unchained;
    private long unsealed;

    /** A walk of whole chains, each from its first event. @param sealed the newest sealed head of each chain */
    public ChainWalk(EventEntryConfiguration fields, Map<String, Seal.SealedHead> sealed,
                     Consumer<IntegrityProblem> problems) {
        this(fields, sealed, Map.of(), null, problems);
    }

    /**
     * A walk of part of each chain (a sealed period): a chain with a head in {@code start} is fed from that head's
     * position on, and the event there must be the one sealed; the others from their first event.
     *
     * @param chainedSince when the trail was first sealed ({@link SealWalk#chainedSince}): an event without chain
     *                     fields stored after it was not stored by this service's storage, or null
     */
    public ChainWalk(EventEntryConfiguration fields, Map<String, Seal.SealedHead> sealed,
                     Map<String, Seal.SealedHead> start, Instant chainedSince, Consumer<IntegrityProblem> problems) {
        this.fields = fields;
        this.sealed = sealed;
        this.start = start;
        this.chainedSince = chainedSince;
        this.problems = problems;
    }

    /** The next stored event (a document, or an export's map of the same fields), in chain order. */
    public void accept(Map<String, ?> stored) {
        Object chainField = stored.get(EventChain.CHAIN);
        if (chainField == null) {
            unchained++;
            if (chainedSince != null && !storedBefore(stored.get(fields.timestampProperty()), chainedSince)) {
                problems.accept(IntegrityProblem.ofEvent(Kind.INSERTED,
                        Objects.toString(stored.get(fields.eventIdentifierProperty()), null), null, -1,
                        "stored without chain fields after the trail was first sealed, at " + chainedSince
                                + ": forged, or appended by an instance older than chaining"));
            }
            return;
        }
        eventsChecked++;
        String eventChain = chainField.toString();
        long eventPosition = stored.get(EventChain.POSITION) instanceof Number number ? number.longValue() : -1;
        Link link = new Link(Objects.toString(stored.get(fields.eventIdentifierProperty()), null),
                Objects.toString(stored.get(EventChain.PREVIOUS), ""), Objects.toString(stored.get(EventChain.HASH), ""));

        if (!eventChain.equals(chain)) {
            endChain();
            chain = eventChain;
            walked.add(eventChain);
            Seal.SealedHead from = start.get(eventChain);
            if (from != null && eventPosition != from.position()) {
                problems.accept(IntegrityProblem.ofEvent(Kind.MISSING, null, eventChain, from.position(),
                        "sealed at position " + from.position() + ", and the chain's next stored event is at "
                                + eventPosition));
            } else if (from == null && eventPosition != 0 && !EventChain.GENESIS.equals(link.previous())) {
                problems.accept(IntegrityProblem.ofEvent(Kind.MISSING, null, eventChain, 0,
                        "the chain's first stored event is at position " + eventPosition
                                + " and links to a predecessor that is not stored"));
            }
        } else if (eventPosition == position) {
            atPosition.add(link);
            checkEvent(stored, link, eventChain, eventPosition);
            return;
        } else if (eventPosition > position + 1) {
            settle(null);
            problems.accept(IntegrityProblem.ofEvent(Kind.MISSING, null, eventChain, position + 1,
                    (eventPosition - position - 1) + " event(s) missing at positions " + (position + 1) + "-"
                            + (eventPosition - 1)));
        } else {
            settle(link);
        }
        position = eventPosition;
        atPosition.clear();
        atPosition.add(link);
        checkEvent(stored, link, eventChain, eventPosition);
    }

    /** Ends the walk: the last chain is settled, and sealed chains never walked are missing. */
    public void finish() {
        endChain();
        chain = null;
        sealed.values().stream().filter(head -> !walked.contains(head.chain())).forEach(head ->
                problems.accept(IntegrityProblem.ofEvent(Kind.MISSING, null, head.chain(), head.position(),
                        "sealed up to position " + head.position() + ", and no event of the chain is stored")));
    }

    /** Whether a stored timestamp (axon-mongo's ISO-8601 text) is before the instant; unreadable, it is not. */
    private static boolean storedBefore(Object timestamp, Instant instant) {
        try {
            return timestamp instanceof String text && Instant.parse(text).isBefore(instant);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    public long eventsChecked() {
        return eventsChecked;
    }

    /** Events stored before chaining began (no chain fields). */
    public long unchainedEvents() {
        return unchained;
    }

    /** Events after the newest sealed head of their chain. */
    public long unsealedEvents() {
        return unsealed;
    }

    private void checkEvent(Map<String, ?> stored, Link link, String eventChain, long eventPosition) {
        Seal.SealedHead head = sealed.get(eventChain);
        if (head == null || eventPosition > head.position()) {
            unsealed++;
            unsealedOnChain++;
        }
        Object sequence = stored.get(fields.sequenceNumberProperty());
        if (EventChain.isKeyChain(eventChain) && sequence instanceof Number number && number.longValue() != eventPosition) {
            problems.accept(IntegrityProblem.ofEvent(Kind.REORDERED, link.eventId(), eventChain, eventPosition,
                    "sequence number " + number.longValue() + " stored at position " + eventPosition + " of the chain"));
            return;
        }
        String recomputed = EventChain.hash(stored, fields, eventChain, eventPosition, link.previous());
        if (!recomputed.equals(link.hash())) {
            problems.accept(IntegrityProblem.ofEvent(Kind.MODIFIED, link.eventId(), eventChain, eventPosition,
                    "the stored event no longer matches the hash it was stored with"));
        }
    }

    /**
     * Settles the events at the current position: of two or more, those the next event does not link to were
     * inserted, and if it links to none of them, it was; at a sealed head, one of them must carry the sealed hash
     * (a chain rewritten with fresh hashes after the event that was changed shows here).
     */
    private void settle(Link next) {
        boolean linked = next == null;
        for (Link candidate : atPosition) {
            boolean linkedTo = next != null && next.previous().equals(candidate.hash());
            linked |= linkedTo;
            if (atPosition.size() > 1 && !linkedTo) {
                problems.accept(IntegrityProblem.ofEvent(Kind.INSERTED, candidate.eventId(), chain, position,
                        atPosition.size() + " events at one position of the chain, and the next does not link to this one"));
            }
        }
        if (!linked) {
            problems.accept(IntegrityProblem.ofEvent(Kind.INSERTED, next.eventId(), chain, position + 1,
                    "links to no stored event at position " + position));
        }
        Seal.SealedHead head = sealed.get(chain);
        if (head == null || head.position() != position) {
            head = start.get(chain);
        }
        if (head != null && head.position() == position && noneSealedAs(head)) {
            problems.accept(IntegrityProblem.ofEvent(Kind.MODIFIED, atPosition.get(0).eventId(), chain, position,
                    "not the event sealed at this position: the chain up to here was changed after it was sealed"));
        }
    }

    private boolean noneSealedAs(Seal.SealedHead head) {
        return atPosition.stream().noneMatch(candidate -> candidate.hash().equals(head.hash()));
    }

    private void endChain() {
        if (chain != null) {
            settle(null);
            Seal.SealedHead head = sealed.get(chain);
            if (head != null && position < head.position()) {
                problems.accept(IntegrityProblem.ofEvent(Kind.MISSING, null, chain, position + 1,
                        "sealed up to position " + head.position() + ", and the stored chain ends at " + position));
            }
            if (unsealedOnChain > 0) {
                problems.accept(IntegrityProblem.ofEvent(Kind.UNSEALED, null, chain, position,
                        unsealedOnChain + " event(s) after " + (head == null ? "no seal of this chain"
                                : "position " + head.position() + ", the newest sealed")));
            }
        }
        unsealedOnChain = 0;
        atPosition.clear();
    }

    private record Link(String eventId, String previous, String hash) {
    }
}
