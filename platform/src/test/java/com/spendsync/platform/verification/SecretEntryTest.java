package com.spendsync.platform.verification;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.AllowedSources;
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

    @Test
    void withoutRedisTheAllowlistDecidesAsTheScriptDoes() {
        SecretEntry entry = new SecretEntry("key_1", "owner", ValidationViewKeys.STATUS_ACTIVE, List.of("a:b"), null,
                null, null, null, null, List.of("203.0.113.0/24", "2001:db8::/48"), 7);

        assertThat(entry.decide(List.of(), null, "203.0.113.255", T).code()).isEqualTo(VerificationCode.VALID);
        assertThat(entry.decide(List.of(), null, "::ffff:203.0.113.1", T).code()).isEqualTo(VerificationCode.VALID);
        assertThat(entry.decide(List.of(), null, "2001:db8:0:1::", T).code()).isEqualTo(VerificationCode.VALID);
        assertThat(entry.decide(List.of(), null, "203.0.114.0", T).code())
                .isEqualTo(VerificationCode.FORBIDDEN_SOURCE);
        assertThat(entry.decide(List.of(), null, "gateway-1", T).code()).isEqualTo(VerificationCode.FORBIDDEN_SOURCE);
        assertThat(entry.decide(List.of("c:d"), null, "198.51.100.1", T).code()).as("source before permissions")
                .isEqualTo(VerificationCode.FORBIDDEN_SOURCE);
        assertThat(entry.decide(List.of(), null, "*", T).code()).as("sent by a client").isEqualTo(
                VerificationCode.FORBIDDEN_SOURCE);
        assertThat(entry.decide(List.of(), null, null, T).code()).as("a credential check").isEqualTo(
                VerificationCode.VALID);
        assertThat(entry.fields().get(ValidationViewKeys.ALLOWED_SOURCES))
                .isEqualTo(AllowedSources.prefixBits("203.0.113.0/24") + " "
                        + AllowedSources.prefixBits("2001:db8::/48"));
    }

    private static ValidationViewWriter.Lifetime lifetime(Instant end) {
        return ValidationViewWriter.Lifetime.until(end.plus(RETENTION));
    }

    private static SecretEntry entry(Instant expiresAt, Instant graceUntil, Instant revokedAt) {
        return new SecretEntry("key_1", "owner", ValidationViewKeys.STATUS_ACTIVE, List.of(), null, expiresAt,
                graceUntil, revokedAt, null, null, 7);
    }
}
