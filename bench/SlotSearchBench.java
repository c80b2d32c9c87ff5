package com.spendsync.api.keyformat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What minting a secret in a given Redis Cluster slot costs (a rotation, and since owner-wide limits every creation):
 * the search {@link ApiKeySecret#inSlot} runs, against the one before it as the baseline (a new random derived per
 * candidate, each made into a key and hashed as a string), alternating in one JVM:
 *
 * <pre>
 *   bench/slot-search-bench.sh [ROUNDS] [MINTS_PER_ROUND]
 * </pre>
 *
 * Prints the median and the spread of the rounds' milliseconds per mint for each, and their ratio.
 */
public class SlotSearchBench {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int mints = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        SecureRandom random = new SecureRandom();
        List<Double> baseline = new ArrayList<>();
        List<Double> current = new ArrayList<>();
        // one round of each first, unmeasured: the JIT
        measure(1, random, true);
        measure(1, random, false);
        for (int round = 0; round < rounds; round++) {
            baseline.add(measure(mints, random, true));
            current.add(measure(mints, random, false));
        }
        System.out.printf(Locale.ROOT, "%d rounds of %d mints, %d CPUs, %s%n", rounds, mints,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        System.out.printf(Locale.ROOT, "derived random per candidate (before): %s ms per mint%n", summary(baseline));
        System.out.printf(Locale.ROOT, "last digits searched (ApiKeySecret.inSlot): %s ms per mint%n",
                summary(current));
        System.out.printf(Locale.ROOT, "ratio before / now: %.1f%n", median(baseline) / median(current));
    }

    private static double measure(int mints, SecureRandom random, boolean before) {
        long started = System.nanoTime();
        for (int i = 0; i < mints; i++) {
            int slot = random.nextInt(HashSlot.COUNT);
            SecretRandom seed = SecretRandom.generate(random);
            ApiKeySecret secret = before ? derivedPerCandidate(slot, seed)
                    : ApiKeySecret.inSlot(slot, KeyEnvironment.LIVE, seed);
            if (secret.hash().slot() != slot || ApiKeySecret.parse(secret.reveal()).isEmpty()) {
                throw new IllegalStateException("minted outside the slot");
            }
        }
        return (System.nanoTime() - started) / 1e6 / mints;
    }

    /** The search as rotation ran it before: a whole new random for every candidate. */
    private static ApiKeySecret derivedPerCandidate(int slot, SecretRandom seed) {
        for (long n = 0; ; n++) {
            ApiKeySecret candidate = ApiKeySecret.from(KeyEnvironment.LIVE, seed.derived(n));
            if (candidate.hash().slot() == slot) {
                return candidate;
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String summary(List<Double> values) {
        return String.format(Locale.ROOT, "median %.1f (%.1f to %.1f)", median(values),
                values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }
}
