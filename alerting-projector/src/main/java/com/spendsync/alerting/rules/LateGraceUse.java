package com.spendsync.alerting.rules;

import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.UsageBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The late-grace-use rule: a rotated key's previous secret still used in the closing part of its grace period, so
 * whatever holds it has not switched and will break when the grace ends.
 */
final class LateGraceUse {

    static final String RULE = "late-grace-use";

    private LateGraceUse() {
    }

    /** The previous secret's batch in {@code used}, if a valid use of it came late in {@code grace}. */
    static Optional<UsageBatch> lateUse(KeyState.Grace grace, ApiKeyUsedEvent used, double remainingFraction) {
        if (grace == null || !grace.endsAt().isAfter(grace.rotatedAt())) {
            return Optional.empty();
        }
        Instant lateFrom = lateFrom(grace, remainingFraction);
        return used.batches().stream()
                .filter(batch -> batch.keyHash().hex().equals(grace.previousKeyHash()) && batch.validUses() > 0
                        && batch.lastUsedAt() != null && !batch.lastUsedAt().isBefore(lateFrom)
                        && !batch.lastUsedAt().isAfter(grace.endsAt()))
                .findFirst();
    }

    /** Where the closing {@code remainingFraction} of the grace period starts, to the millisecond. */
    static Instant lateFrom(KeyState.Grace grace, double remainingFraction) {
        long graceMillis = Duration.between(grace.rotatedAt(), grace.endsAt()).toMillis();
        return grace.endsAt().minusMillis(Math.round(graceMillis * remainingFraction));
    }

    static String describe(UsageBatch late, KeyState.Grace grace, double remainingFraction) {
        return "the previous secret was used at " + late.lastUsedAt() + ", in the final "
                + Math.round(remainingFraction * 100) + "% of its grace period ending at " + grace.endsAt();
    }
}
