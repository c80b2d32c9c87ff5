package com.spendsync.alerting.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertDispatcherTest {

    private final AlertDispatcher dispatcher = new AlertDispatcher(List.of(), null,
            DeliverySettingsTest.settings(Duration.ofSeconds(2), Duration.ofSeconds(60)), null, Clock.systemUTC(),
            "test-node", new SimpleMeterRegistry(), Duration.ofDays(90));

    @Test
    void theWaitDoublesAfterEachFailedAttemptUpToTheCapLessAFifthAtMost() {
        assertWithin(dispatcher.backoff(1), 1600, 2000);
        assertWithin(dispatcher.backoff(2), 3200, 4000);
        assertWithin(dispatcher.backoff(3), 6400, 8000);
        assertWithin(dispatcher.backoff(6), 48000, 60000);
        assertWithin(dispatcher.backoff(40), 48000, 60000);
    }

    private static void assertWithin(Duration wait, long fromMillis, long toMillis) {
        assertThat(wait.toMillis()).isBetween(fromMillis, toMillis);
    }
}
