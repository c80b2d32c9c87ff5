package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpiringSoonTest {

    private static final List<Duration> THRESHOLDS = List.of(Duration.ofDays(7), Duration.ofDays(1));
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void aKeyIsDueExactlyAtAThresholdAndNotAMillisecondBefore() {
        assertThat(ExpiringSoon.due(expiringAt(NOW.plus(Duration.ofDays(7))), NOW, THRESHOLDS))
                .contains(Duration.ofDays(7));
        assertThat(ExpiringSoon.due(expiringAt(NOW.plus(Duration.ofDays(7)).plusMillis(1)), NOW, THRESHOLDS))
                .isEmpty();
    }

    @Test
    void onlyTheSmallestThresholdTheKeyIsWithinIsDue() {
        assertThat(ExpiringSoon.due(expiringAt(NOW.plus(Duration.ofHours(20))), NOW, THRESHOLDS))
                .contains(Duration.ofDays(1));
    }

    @Test
    void aWarnedThresholdIsNotDueAgainNorALargerOneForTheSameExpiry() {
        Instant expiresAt = NOW.plus(Duration.ofHours(20));
        KeyState warnedForOneDay = expiringAt(expiresAt).warned(Duration.ofDays(1), expiresAt);

        assertThat(ExpiringSoon.due(warnedForOneDay, NOW, THRESHOLDS)).isEmpty();
        assertThat(ExpiringSoon.stillDue(warnedForOneDay, approaching(expiresAt, Duration.ofDays(7)))).isFalse();
    }

    @Test
    void afterASevenDayWarningTheOneDayWarningIsStillDue() {
        Instant expiresAt = NOW.plus(Duration.ofHours(20));
        KeyState warnedForAWeek = expiringAt(expiresAt).warned(Duration.ofDays(7), expiresAt);

        assertThat(ExpiringSoon.due(warnedForAWeek, NOW, THRESHOLDS)).contains(Duration.ofDays(1));
    }

    @Test
    void anExpiryMovedLaterIsWarnedAboutAgain() {
        Instant first = NOW.plus(Duration.ofHours(20));
        Instant later = NOW.plus(Duration.ofDays(3));
        KeyState moved = expiringAt(first).warned(Duration.ofDays(1), first).after(updatedTo(later));

        assertThat(moved.warnings()).isEmpty();
        assertThat(ExpiringSoon.due(moved, NOW, THRESHOLDS)).contains(Duration.ofDays(7));
        assertThat(ExpiringSoon.stillDue(moved, approaching(first, Duration.ofDays(1)))).as("about the old expiry")
                .isFalse();
    }

    @Test
    void aRevokedKeyOrAKeyPastItsExpiryIsNeverDue() {
        Instant expiresAt = NOW.plus(Duration.ofHours(20));
        KeyState revoked = expiringAt(expiresAt).after(new ApiKeyRevokedEvent("key_1", null, null, "gone", NOW));

        assertThat(ExpiringSoon.due(revoked, NOW, THRESHOLDS)).isEmpty();
        assertThat(ExpiringSoon.stillDue(revoked, approaching(expiresAt, Duration.ofDays(1)))).isFalse();
        assertThat(ExpiringSoon.due(expiringAt(NOW), NOW, THRESHOLDS)).isEmpty();
        assertThat(ExpiringSoon.due(expiringAt(null), NOW, THRESHOLDS)).isEmpty();
    }

    @Test
    void twoRecordsOfTheSameFactShareTheirIdempotencyId() {
        Instant expiresAt = NOW.plus(Duration.ofHours(20));
        KeyExpiryApproachingEvent first = approaching(expiresAt, Duration.ofDays(1));
        KeyExpiryApproachingEvent second = new KeyExpiryApproachingEvent("key_1", expiresAt, Duration.ofDays(1),
                NOW.plusSeconds(30));

        assertThat(ExpiringSoon.idempotencyId(second)).isEqualTo(ExpiringSoon.idempotencyId(first));
        assertThat(ExpiringSoon.stillDue(expiringAt(expiresAt).warned(Duration.ofDays(1), expiresAt), second))
                .isFalse();
    }

    @Test
    void wholeDaysReadAsDays() {
        assertThat(ExpiringSoon.readable(Duration.ofDays(7))).isEqualTo("P7D");
        assertThat(ExpiringSoon.readable(Duration.ofHours(36))).isEqualTo("PT36H");
    }

    private static KeyState expiringAt(Instant expiresAt) {
        return KeyState.unknown("key_1").after(new ApiKeyCreatedEvent("key_1", null, "ss_live_abcd", null, "acme",
                "n", List.of("payments:read"), null, expiresAt, null, null, null, NOW.minus(Duration.ofDays(30))));
    }

    private static ApiKeyUpdatedEvent updatedTo(Instant expiresAt) {
        return new ApiKeyUpdatedEvent("key_1", null, null, "n", List.of("payments:read"), null, null, null, null, expiresAt,
                Set.of("expiresAt"), NOW);
    }

    private static KeyExpiryApproachingEvent approaching(Instant expiresAt, Duration threshold) {
        return new KeyExpiryApproachingEvent("key_1", expiresAt, threshold, NOW);
    }
}
