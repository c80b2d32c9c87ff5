package com.spendsync.platform.integrity;

/**
 * Something a verification found wrong with the stored trail.
 *
 * @param eventId the stored event at fault, when one is (a missing event has none)
 * @param sealId the seal at fault (its sequence), when one is
 * @param chain the chain the problem is on, if any
 * @param position the position on that chain (-1 for a seal's problem)
 */
public record IntegrityProblem(Kind kind, String eventId, Long sealId, String chain, long position, String detail) {

    public enum Kind {
        /** A stored event or seal no longer hashes to the hash it was stored or sealed with. */
        MODIFIED,
        /** An event or seal that was there is not: a gap in a chain, a chain shorter than its seal says. */
        MISSING,
        /** An event or seal that does not belong: a second one at a position, or one linked to nothing stored. */
        INSERTED,
        /** A key's event whose sequence number is not its position on the key's chain. */
        REORDERED,
        /** A seal whose signature is not the installation key's over its content. */
        BAD_SIGNATURE,
        /** Events newer than the newest seal of their chain: not proven yet, never taken as proven. */
        UNSEALED;

        /** The kind as the API writes it: {@code bad-signature}. */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    static IntegrityProblem ofEvent(Kind kind, String eventId, String chain, long position, String detail) {
        return new IntegrityProblem(kind, eventId, null, chain, position, detail);
    }

    static IntegrityProblem ofSeal(Kind kind, long sealId, String detail) {
        return new IntegrityProblem(kind, null, sealId, null, -1, detail);
    }
}
