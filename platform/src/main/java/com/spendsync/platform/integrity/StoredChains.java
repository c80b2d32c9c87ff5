package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;

/**
 * One verification of the trail: the seals first (which yield the sealed heads), then every event in chain order.
 * The sources are fed in, so the online check (MongoDB) and the offline verifier (an export) run the same code.
 */
public final class StoredChains {

    /** At most this many problems are listed; the rest are counted. */
    public static final int MAX_LISTED_PROBLEMS = 1_000;

    private StoredChains() {
    }

    /**
     * @param verified no problem but events newer than the newest seal, which are listed as unsealed
     */
    public record Report(boolean verified, long eventsChecked, long sealsChecked, long unsealedEvents,
                         long unchainedEvents, long problemCount, List<IntegrityProblem> problems) {
    }

    /** A source that hands its items, in order, to the consumer it is given. */
    public interface Source<T> {
        void forEach(Consumer<T> consumer);
    }

    public static Report verify(Source<Seal> seals, Source<Map<String, ?>> events, EventEntryConfiguration fields,
                                PublicKey publicKey) {
        List<IntegrityProblem> listed = new ArrayList<>();
        long[] counts = {0, 0};
        Consumer<IntegrityProblem> record = problem -> {
            counts[0]++;
            if (problem.kind() != Kind.UNSEALED) {
                counts[1]++;
            }
            if (listed.size() < MAX_LISTED_PROBLEMS) {
                listed.add(problem);
            }
        };
        SealWalk sealWalk = new SealWalk(publicKey, record);
        seals.forEach(sealWalk::accept);
        ChainWalk chainWalk = new ChainWalk(fields, sealWalk.heads(), record);
        events.forEach(chainWalk::accept);
        chainWalk.finish();
        return new Report(counts[1] == 0, chainWalk.eventsChecked(), sealWalk.sealsChecked(),
                chainWalk.unsealedEvents(), chainWalk.unchainedEvents(), counts[0], List.copyOf(listed));
    }
}
