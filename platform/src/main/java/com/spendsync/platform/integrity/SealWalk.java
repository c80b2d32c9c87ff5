package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks seals fed to it in sequence order, every one of them: each signed by the installation's key over its
 * content, each linked to the one before, none missing; and keeps, of the seals that pass, the newest sealed head of
 * every chain, overall and as of a sealed period's two ends. A seal counts for an end by its own signed instant, not
 * by its place in the sequence: two instances' clocks may disagree by a little.
 */
public final class SealWalk {

    private final PublicKey publicKey;
    private final Consumer<IntegrityProblem> problems;
    private final Instant from;
    private final Instant to;
    private final Map<String, Seal.SealedHead> heads = new HashMap<>();
    private final Map<String, Seal.SealedHead> headsAtFrom = new HashMap<>();
    private final Map<String, Seal.SealedHead> headsAtTo = new HashMap<>();
    private long expected;
    private String previousHash = EventChain.GENESIS;
    private long sealsChecked;
    private Seal newest;
    private Instant chainedSince;

    public SealWalk(PublicKey publicKey, Consumer<IntegrityProblem> problems) {
        this(publicKey, null, null, problems);
    }

    /** @param from where a sealed period starts, @param to where it ends (null: open) */
    public SealWalk(PublicKey publicKey, Instant from, Instant to, Consumer<IntegrityProblem> problems) {
        this.publicKey = publicKey;
        this.from = from;
        this.to = to;
        this.problems = problems;
    }

    public void accept(Seal seal) {
        sealsChecked++;
        long sequence = seal.sequence();
        if (sequence < expected) {
            problems.accept(IntegrityProblem.ofSeal(Kind.INSERTED, sequence, "a second seal at sequence " + sequence));
        } else if (sequence > expected) {
            problems.accept(IntegrityProblem.ofSeal(Kind.MISSING, expected, (sequence - expected)
                    + " seal(s) missing at sequence " + expected + "-" + (sequence - 1)));
        } else if (!seal.previous().equals(previousHash)) {
            problems.accept(IntegrityProblem.ofSeal(Kind.INSERTED, sequence,
                    "does not link to the seal before it, sequence " + (sequence - 1)));
        }
        if (!seal.signedBy(publicKey)) {
            problems.accept(IntegrityProblem.ofSeal(Kind.BAD_SIGNATURE, sequence,
                    "its signature is not the installation key's over its content (key " + seal.keyId() + ")"));
        } else {
            if (chainedSince == null || seal.sealedAt().isBefore(chainedSince)) {
                chainedSince = seal.sealedAt();
            }
            merge(heads, seal);
            if (to == null || seal.sealedAt().isBefore(to)) {
                merge(headsAtTo, seal);
            }
            if (from != null && seal.sealedAt().isBefore(from)) {
                merge(headsAtFrom, seal);
            }
        }
        if (sequence >= expected) {
            newest = seal;
        }
        expected = Math.max(expected, sequence + 1);
        previousHash = seal.hash();
    }

    private static void merge(Map<String, Seal.SealedHead> into, Seal seal) {
        seal.heads().forEach(head -> into.merge(head.chain(), head,
                (older, newer) -> newer.position() >= older.position() ? newer : older));
    }

    public long sealsChecked() {
        return sealsChecked;
    }

    /** The seal at the end of the seal chain walked, or null if there was none. */
    public Seal newest() {
        return newest;
    }

    /**
     * When the trail was first sealed, and so chained: the earliest instant of a seal whose signature holds (a
     * store's migration seal, or its first seal), or null before any.
     */
    public Instant chainedSince() {
        return chainedSince;
    }

    /** The newest sealed head of each chain, of every seal whose signature holds. */
    public Map<String, Seal.SealedHead> heads() {
        return heads;
    }

    /** The newest head of each chain sealed before the period's start: none for a period open at its start. */
    public Map<String, Seal.SealedHead> headsAtFrom() {
        return headsAtFrom;
    }

    /** The newest head of each chain sealed before the period's end: all of them for a period open at its end. */
    public Map<String, Seal.SealedHead> headsAtTo() {
        return headsAtTo;
    }
}
