package com.spendsync.platform.integrity;

import com.spendsync.platform.integrity.IntegrityProblem.Kind;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
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
     * @param newestSeal the seal at the end of the seal chain, to compare with a copy kept outside the database:
     *                   removing the newest seals from the database alone cannot be told otherwise
     */
    public record Report(boolean verified, long eventsChecked, long sealsChecked, long unsealedEvents,
                         long unchainedEvents, long problemCount, List<IntegrityProblem> problems, Seal newestSeal) {
    }

    /** A source that hands its items, in order, to the consumer it is given. */
    public interface Source<T> {
        void forEach(Consumer<T> consumer);
    }

    /**
     * What a walk over the events covers, once the seals are walked: the sealed head each chain must reach, the
     * sealed head a chain is fed from (if not from its first event), and the events, in chain order.
     */
    public record Walk(Map<String, Seal.SealedHead> sealed, Map<String, Seal.SealedHead> start,
                       Source<Map<String, ?>> events) {
    }

    /** Every seal, then every event of every chain, from its first. */
    public static Report verify(Source<Seal> seals, Source<Map<String, ?>> events, EventEntryConfiguration fields,
                                PublicKey publicKey) {
        return verify(seals, null, null, walked -> new Walk(walked.heads(), Map.of(), events), fields, publicKey);
    }

    /**
     * Every seal, then the events the walk of the seals selects.
     *
     * @param from where a sealed period starts ({@link SealWalk#headsAtFrom}), or null
     * @param to where it ends ({@link SealWalk#headsAtTo}), or null
     */
    public static Report verify(Source<Seal> seals, Instant from, Instant to, Function<SealWalk, Walk> events,
                                EventEntryConfiguration fields, PublicKey publicKey) {
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
        SealWalk sealWalk = new SealWalk(publicKey, from, to, record);
        seals.forEach(sealWalk::accept);
        Walk walk = events.apply(sealWalk);
        ChainWalk chainWalk = new ChainWalk(fields, walk.sealed(), walk.start(), sealWalk.chainedSince(), record);
        walk.events().forEach(chainWalk::accept);
        chainWalk.finish();
        return new Report(counts[1] == 0, chainWalk.eventsChecked(), sealWalk.sealsChecked(),
                chainWalk.unsealedEvents(), chainWalk.unchainedEvents(), counts[0], List.copyOf(listed),
                sealWalk.newest());
    }
}
