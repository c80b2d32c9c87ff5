package com.spendsync.alerting.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * A key's usual valid uses per usage flush window: an exponentially weighted moving average over the windows since
 * its first recorded use. A window with no use records no event, so the windows between two events count as zero
 * uses. Everything is computed from the events' own times, so a replay arrives at the same figures.
 *
 * @param mean           the average, in uses per window
 * @param windows        how many windows it has seen, idle ones included
 * @param lastFlushedAt  when the last window it saw was flushed; null before the first
 */
record UsageBaseline(double mean, long windows, Instant lastFlushedAt) {

    static final UsageBaseline NONE = new UsageBaseline(0, 0, null);

    /** The baseline after a window of {@code uses} flushed at {@code flushedAt}; the first window sets it. */
    UsageBaseline observe(long uses, Instant flushedAt, Duration windowLength, double smoothing) {
        if (lastFlushedAt == null) {
            return new UsageBaseline(uses, 1, flushedAt);
        }
        long elapsed = windowsBetween(lastFlushedAt, flushedAt, windowLength);
        double decayed = mean * Math.pow(1 - smoothing, elapsed - 1);
        return new UsageBaseline(smoothing * uses + (1 - smoothing) * decayed, windows + elapsed,
                flushedAt.isAfter(lastFlushedAt) ? flushedAt : lastFlushedAt);
    }

    /**
     * Whether {@code uses} in one window are far above the baseline, which is trusted once it has seen
     * {@code warmUpWindows} windows.
     */
    boolean isExceededBy(long uses, int warmUpWindows, double factor, long minUses) {
        return windows >= warmUpWindows && uses >= minUses && uses >= factor * mean;
    }

    /** Flushes run a window apart, a little later each time: the nearest whole number of windows, at least one. */
    private static long windowsBetween(Instant from, Instant to, Duration windowLength) {
        return Math.max(1, Math.round((double) Duration.between(from, to).toMillis()
                / Math.max(1, windowLength.toMillis())));
    }
}
