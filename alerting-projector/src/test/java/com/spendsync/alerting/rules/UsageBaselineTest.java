package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageBaselineTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void theFirstWindowSetsTheBaseline() {
        UsageBaseline baseline = UsageBaseline.NONE.observe(40, START, WINDOW, 0.2);

        assertThat(baseline).isEqualTo(new UsageBaseline(40, 1, START));
    }

    @Test
    void eachFollowingWindowMovesItByTheSmoothingWeight() {
        UsageBaseline baseline = UsageBaseline.NONE.observe(40, START, WINDOW, 0.2)
                .observe(90, START.plus(WINDOW), WINDOW, 0.2);

        assertThat(baseline.mean()).isCloseTo(0.2 * 90 + 0.8 * 40, within(1e-9));
        assertThat(baseline.windows()).isEqualTo(2);
    }

    @Test
    void idleWindowsBetweenTwoEventsCountAsWindowsOfNoUse() {
        // flushed three windows later, a little late as a scheduled flush is: two idle windows, then this one
        Instant threeWindowsLater = START.plus(WINDOW.multipliedBy(3)).plusSeconds(2);

        UsageBaseline baseline = UsageBaseline.NONE.observe(100, START, WINDOW, 0.5)
                .observe(20, threeWindowsLater, WINDOW, 0.5);

        assertThat(baseline.mean()).isCloseTo(0.5 * 20 + 0.5 * (100 * 0.5 * 0.5), within(1e-9));
        assertThat(baseline.windows()).isEqualTo(4);
        assertThat(baseline.lastFlushedAt()).isEqualTo(threeWindowsLater);
    }

    @Test
    void twoFlushesCloserThanAWindowCountAsConsecutiveWindows() {
        UsageBaseline baseline = UsageBaseline.NONE.observe(10, START, WINDOW, 0.5)
                .observe(30, START.plusSeconds(1), WINDOW, 0.5);

        assertThat(baseline.mean()).isCloseTo(20, within(1e-9));
        assertThat(baseline.windows()).isEqualTo(2);
    }

    @Test
    void aWindowExceedsTheBaselineFromTheFactorAndTheMinimumOnAfterTheWarmUp() {
        UsageBaseline warm = new UsageBaseline(20, 10, START);

        assertThat(warm.isExceededBy(200, 10, 10, 100)).isTrue();
        assertThat(warm.isExceededBy(199, 10, 10, 100)).as("one below the factor").isFalse();
        assertThat(new UsageBaseline(5, 10, START).isExceededBy(99, 10, 10, 100)).as("one below the minimum")
                .isFalse();
        assertThat(new UsageBaseline(5, 10, START).isExceededBy(100, 10, 10, 100)).isTrue();
        assertThat(new UsageBaseline(20, 9, START).isExceededBy(10_000, 10, 10, 100)).as("still warming up")
                .isFalse();
    }
}
