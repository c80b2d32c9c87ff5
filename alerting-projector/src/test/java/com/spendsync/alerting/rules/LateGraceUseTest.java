package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LateGraceUseTest {

    private static final KeyHash FIRST = KeyHash.of("1".repeat(64));
    private static final KeyHash SECOND = KeyHash.of("2".repeat(64));
    private static final Instant ROTATED_AT = Instant.parse("2030-01-01T00:00:00Z");
    /** A grace of 100 hours: its final quarter starts at hour 75. */
    private static final Instant GRACE_ENDS_AT = ROTATED_AT.plus(Duration.ofHours(100));
    private static final Instant LATE_FROM = ROTATED_AT.plus(Duration.ofHours(75));

    @Test
    void aValidUseOfThePreviousSecretFromTheStartOfTheFinalFractionOnMatches() {
        KeyState.Grace grace = rotated().grace();

        assertThat(LateGraceUse.lateFrom(grace, 0.25)).isEqualTo(LATE_FROM);
        assertThat(LateGraceUse.lateUse(grace, used(FIRST, 3, LATE_FROM), 0.25)).isPresent();
        assertThat(LateGraceUse.lateUse(grace, used(FIRST, 3, LATE_FROM.minusMillis(1)), 0.25)).isEmpty();
        assertThat(LateGraceUse.lateUse(grace, used(FIRST, 3, GRACE_ENDS_AT.minusMillis(1)), 0.25)).isPresent();
    }

    @Test
    void usesOfTheNewSecretOrRejectedOnesDoNotMatch() {
        KeyState.Grace grace = rotated().grace();

        assertThat(LateGraceUse.lateUse(grace, used(SECOND, 3, LATE_FROM), 0.25)).isEmpty();
        assertThat(LateGraceUse.lateUse(grace, used(FIRST, 0, null), 0.25)).isEmpty();
    }

    @Test
    void aLateUseFlushedAfterTheGraceEndedStillMatches() {
        KeyState graceEnded = rotated().after(new ApiKeyRotationGraceEndedEvent("key_1", FIRST, GRACE_ENDS_AT));

        assertThat(LateGraceUse.lateUse(graceEnded.grace(), used(FIRST, 1, LATE_FROM.plusSeconds(1)), 0.25))
                .isPresent();
    }

    @Test
    void aKeyNeverRotatedOrRotatedWithoutGraceHasNoLateUse() {
        KeyState noGrace = created().after(new ApiKeyRotatedEvent("key_1", SECOND, "ss_live_efgh", FIRST, ROTATED_AT,
                null, ROTATED_AT));

        assertThat(LateGraceUse.lateUse(created().grace(), used(FIRST, 1, ROTATED_AT), 0.25)).isEmpty();
        assertThat(LateGraceUse.lateUse(noGrace.grace(), used(FIRST, 1, ROTATED_AT), 0.25)).isEmpty();
    }

    private static KeyState created() {
        return KeyState.unknown("key_1").after(new ApiKeyCreatedEvent("key_1", FIRST, "ss_live_abcd", null, "acme",
                "n", List.of("payments:read"), null, null, null, null, null, ROTATED_AT.minus(Duration.ofDays(30))));
    }

    private static KeyState rotated() {
        return created().after(new ApiKeyRotatedEvent("key_1", SECOND, "ss_live_efgh", FIRST, GRACE_ENDS_AT, null,
                ROTATED_AT));
    }

    private static ApiKeyUsedEvent used(KeyHash secret, long validUses, Instant lastUsedAt) {
        return new ApiKeyUsedEvent("key_1", List.of(new UsageBatch(secret, "e1", 1, validUses, 0, lastUsedAt)),
                lastUsedAt == null ? GRACE_ENDS_AT : lastUsedAt.plusSeconds(30));
    }
}
