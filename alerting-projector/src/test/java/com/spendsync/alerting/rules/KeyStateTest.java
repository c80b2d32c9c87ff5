package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyStateTest {

    private static final KeyHash FIRST = KeyHash.of("1".repeat(64));
    private static final KeyHash SECOND = KeyHash.of("2".repeat(64));
    private static final Instant AT = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void aRotationGivesTheNewPrefixAndRemembersThePreviousSecretsGrace() {
        KeyState rotated = created().after(new ApiKeyRotatedEvent("key_1", SECOND, "ss_live_efgh", FIRST,
                AT.plus(Duration.ofDays(7)), null, AT));

        assertThat(rotated.prefix()).isEqualTo("ss_live_efgh");
        assertThat(rotated.status()).isEqualTo(KeyStatus.ROTATING);
        assertThat(rotated.grace()).isEqualTo(new KeyState.Grace(FIRST.hex(), AT, AT.plus(Duration.ofDays(7))));
        assertThat(rotated.after(new ApiKeyRotationGraceEndedEvent("key_1", FIRST, AT.plus(Duration.ofDays(7))))
                .status()).isEqualTo(KeyStatus.ACTIVE);
    }

    @Test
    void aRevokedOrExpiredKeyStaysEnded() {
        KeyState revoked = created().after(new ApiKeyRevokedEvent("key_1", FIRST, null, "gone", AT));

        assertThat(revoked.ended()).isTrue();
        assertThat(revoked.after(new ApiKeyRotationGraceEndedEvent("key_1", FIRST, AT)).status())
                .isEqualTo(KeyStatus.REVOKED);
        assertThat(created().after(new ApiKeyExpiredEvent("key_1", FIRST, null, AT)).ended()).isTrue();
    }

    @Test
    void aKeyNotSeenYetHasAppliedNothing() {
        assertThat(KeyState.unknown("key_1").appliedSequence()).isEqualTo(-1);
        assertThat(created().appliedUpTo(4).appliedSequence()).isEqualTo(4);
    }

    private static KeyState created() {
        return KeyState.unknown("key_1").after(new ApiKeyCreatedEvent("key_1", FIRST, "ss_live_abcd", null, "acme",
                "n", List.of("payments:read"), null, null, null, null, null, AT.minus(Duration.ofDays(30))));
    }
}
