package com.spendsync.platform.verification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretEntryTest {

    private static final Instant T = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(30);

    @Test
    void anEntryNothingEndsLivesForEver() {
        assertThat(entry(null, null, null).lifetime(RETENTION)).isEqualTo(ValidationViewWriter.Lifetime.until(null));
    }

    @Test
    void anEntryLivesTheRetentionPeriodPastTheFirstEndOfItsSecret() {
        Instant graceEnd = T.plus(Duration.ofDays(1));
        assertThat(entry(T.plus(Duration.ofDays(9)), null, null).lifetime(RETENTION))
                .isEqualTo(lifetime(T.plus(Duration.ofDays(9))));
        assertThat(entry(T.plus(Duration.ofDays(9)), graceEnd, null).lifetime(RETENTION)).as("grace ends first")
                .isEqualTo(lifetime(graceEnd));
        assertThat(entry(T.plus(Duration.ofDays(9)), T.plus(Duration.ofDays(5)), T).lifetime(RETENTION))
                .as("revoked first").isEqualTo(lifetime(T));
    }

    private static ValidationViewWriter.Lifetime lifetime(Instant end) {
        return ValidationViewWriter.Lifetime.until(end.plus(RETENTION));
    }

    private static SecretEntry entry(Instant expiresAt, Instant graceUntil, Instant revokedAt) {
        return new SecretEntry("key_1", "owner", ValidationViewKeys.STATUS_ACTIVE, List.of(), null, expiresAt,
                graceUntil, revokedAt, null, 7);
    }
}
