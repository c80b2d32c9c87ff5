package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.security.PublicKey;
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
    private long expected;
    private String previousHash = EventChain.GENESIS;
    private long sealsChecked;

    public SealWalk(PublicKey publicKey, Consumer<IntegrityProblem> problems) {
        this.publicKey = publicKey;
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
            seal.heads().forEach(head -> heads.merge(head.chain(), head,
                    (older, newer) -> newer.position() >= older.position() ? newer : older));
        }
        expected = Math.max(expected, sequence + 1);
        previousHash = seal.hash();
    }

    public long sealsChecked() {
        return sealsChecked;
    }

    /** The newest sealed head of each chain, of the seals whose signature holds. */
    public Map<String, Seal.SealedHead> heads() {
        return heads;
    }
}
