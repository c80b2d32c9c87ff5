package com.spendsync.platform.integrity;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A verification's result as the API and the offline verifier write it.
 *
 * @param verified no event or seal altered, removed, reordered or inserted; events newer than the newest seal are
 *                 listed as {@code unsealed} and counted in {@code unsealedEvents}, not taken as proven
 * @param unchainedEvents events stored before chaining began, which carry no chain fields
 * @param problemCount every problem found; {@code problems} lists the first 1,000
 */
public record IntegrityReport(boolean verified, long eventsChecked, long sealsChecked, long unsealedEvents,
                              long unchainedEvents, long problemCount, List<Problem> problems, NewestSeal newestSeal) {

    /**
     * The seal at the end of the seal chain, null before the first: compare it with the newest of the seal file or
     * the webhook's copies, since seals removed from the end of the database's chain leave no gap there.
     */
    public record NewestSeal(long sequence, Instant sealedAt, String hash) {
    }

    /** @param kind modified, missing, inserted, reordered, bad-signature or unsealed */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String kind, String eventId, Long sealId, String chain, Long position, String detail) {
    }

    public static IntegrityReport of(StoredChains.Report report) {
        return new IntegrityReport(report.verified(), report.eventsChecked(), report.sealsChecked(),
                report.unsealedEvents(), report.unchainedEvents(), report.problemCount(),
                report.problems().stream().map(problem -> new Problem(problem.kind().apiName(), problem.eventId(),
                        problem.sealId(), problem.chain(), problem.position() < 0 ? null : problem.position(),
                        problem.detail())).toList(),
                report.newestSeal() == null ? null : new NewestSeal(report.newestSeal().sequence(),
                        report.newestSeal().sealedAt(), report.newestSeal().hash()));
    }
}
