package com.spendsync.command.deadline;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.command.deadline.KeyDeadlines.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyDeadlineFoldTest {

    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant EXPIRES = AT.plus(Duration.ofDays(30));
    private static final KeyHash FIRST = KeyHash.of("a".repeat(64));
    private static final KeyHash SECOND = KeyHash.of("b".repeat(64));

    @Test
    void aCreationWithAnExpiryIsDueAtItsExpiry() {
        Deadline created = KeyDeadlineFold.apply(null, created(EXPIRES), 0);

        assertThat(created).isEqualTo(new Deadline("key_1", EXPIRES, null, 0));
        assertThat(created.due()).isEqualTo(EXPIRES);
    }

    @Test
    void aRotationWithGraceIsDueAtTheGraceEndWhenThatComesFirst() {
        Instant graceEnd = AT.plus(Duration.ofDays(7));
        Deadline rotated = KeyDeadlineFold.apply(new Deadline("key_1", EXPIRES, null, 0),
                new ApiKeyRotatedEvent("key_1", SECOND, "ss_live_efgh", FIRST, graceEnd, null, AT), 1);

        assertThat(rotated).isEqualTo(new Deadline("key_1", EXPIRES, graceEnd, 1));
        assertThat(rotated.due()).isEqualTo(graceEnd);
        assertThat(KeyDeadlineFold.apply(rotated, new ApiKeyRotationGraceEndedEvent("key_1", FIRST, graceEnd), 2))
                .isEqualTo(new Deadline("key_1", EXPIRES, null, 2));
    }

    @Test
    void aRotationWithoutGraceLeavesNoGraceToEnd() {
        Deadline rotated = KeyDeadlineFold.apply(new Deadline("key_1", null, null, 0),
                new ApiKeyRotatedEvent("key_1", SECOND, "ss_live_efgh", FIRST, AT, null, AT), 1);

        assertThat(rotated.due()).isNull();
    }

    @Test
    void anEndedKeyHasNothingDueButKeepsItsSequence() {
        Deadline revoked = KeyDeadlineFold.apply(new Deadline("key_1", EXPIRES, null, 0),
                new ApiKeyRevokedEvent("key_1", FIRST, null, "gone", AT), 1);

        assertThat(revoked).isEqualTo(new Deadline("key_1", null, null, 1));
        assertThat(KeyDeadlineFold.apply(revoked, new ApiKeyUsedEvent("key_1", List.of(), AT), 2))
                .isEqualTo(new Deadline("key_1", null, null, 2));
    }

    private static ApiKeyCreatedEvent created(Instant expiresAt) {
        return new ApiKeyCreatedEvent("key_1", FIRST, "ss_live_abcd", KeyEnvironment.LIVE, "owner", "name",
                List.of("payments:read"), null, expiresAt, null, null, null, AT);
    }
}
