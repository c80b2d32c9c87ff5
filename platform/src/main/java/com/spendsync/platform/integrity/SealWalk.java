package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks seals fed to it in sequence order: each signed by the installation's key over its content, each linked to
 * the one before, none missing; and keeps, of the seals that pass, the newest sealed head of every chain.
 */
public final class SealWalk {

    private final PublicKey publicKey;
    private final Consumer<IntegrityProblem> problems;
    private final Map<String, Seal.SealedHead> heads = new HashMap<>();
    private final Instant from;
    private Map<String, Seal.SealedHead> headsAtFrom;
    private long expected;
    private String previousHash = EventChain.GENESIS;
    private long sealsChecked;
    private Instant newestSealedAt;

    public SealWalk(PublicKey publicKey, Consumer<IntegrityProblem> problems) {
        this(publicKey, null, problems);
    }

    /** @param from where a sealed period starts: the heads sealed before it are kept apart ({@link #headsAtFrom}) */
    public SealWalk(PublicKey publicKey, Instant from, Consumer<IntegrityProblem> problems) {
        this.publicKey = publicKey;
        this.from = from;
        this.problems = problems;
    }

    public void accept(Seal seal) {
        if (from != null && headsAtFrom == null && !seal.sealedAt().isBefore(from)) {
            headsAtFrom = Map.copyOf(heads);
        }
        sealsChecked++;
        if (newestSealedAt == null || seal.sealedAt().isAfter(newestSealedAt)) {
            newestSealedAt = seal.sealedAt();
        }
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
            seal.heads().forEach(head -> heads.merge(head.chain(), head,
                    (older, newer) -> newer.position() >= older.position() ? newer : older));
        }
        expected = Math.max(expected, sequence + 1);
        previousHash = seal.hash();
    }

    public long sealsChecked() {
        return sealsChecked;
    }

    /** When the newest seal walked was made, or null if there was none. */
    public Instant newestSealedAt() {
        return newestSealedAt;
    }

    /**
     * The newest head of each chain sealed before the period's start (none for a walk from the first seal), of the
     * seals whose signature holds.
     */
    public Map<String, Seal.SealedHead> headsAtFrom() {
        return from == null ? Map.of() : headsAtFrom == null ? Map.copyOf(heads) : headsAtFrom;
    }

    /** The newest sealed head of each chain, of the seals whose signature holds. */
    public Map<String, Seal.SealedHead> heads() {
        return heads;
    }
}
