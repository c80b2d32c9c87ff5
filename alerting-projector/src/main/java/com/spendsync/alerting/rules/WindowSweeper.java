package com.spendsync.alerting.rules;

import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Drops the window entries no rule can count any more: a source that tried a few keys once and never came back
 * would otherwise keep its entries for good. An entry is dropped once it is older than the longest window plus a
 * margin for refusals recorded late. Not while the alerting processor rebuilds, since a rebuild writes entries with
 * their events' old times and counts them at once.
 */
@Component
public class WindowSweeper {

    /** Refusals reach the store up to a flush interval late, and the stream looks back seconds more. */
    static final Duration MARGIN = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(WindowSweeper.class);

    private final SlidingWindows windows;
    private final AlertSettings settings;
    private final AlertingReadiness readiness;
    private final Clock clock;

    WindowSweeper(SlidingWindows windows, AlertSettings settings, AlertingReadiness readiness, Clock clock) {
        this.windows = windows;
        this.settings = settings;
        this.readiness = readiness;
        this.clock = clock;
    }

    /** Returns how many entries it dropped; none when the alerting processor is not ready here. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    public long sweep() {
        if (!readiness.ready()) {
            return 0;
        }
        Duration longest = Stream.of(settings.bruteForce().window(), settings.abuse().window(),
                settings.revokedKeyUse().window()).max(Duration::compareTo).orElseThrow();
        long dropped = windows.removeBefore(clock.instant().minus(longest).minus(MARGIN));
        if (dropped > 0) {
            log.debug("Dropped {} alert window entries past every window", dropped);
        }
        return dropped;
    }
}
