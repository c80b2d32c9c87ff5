package com.spendsync.query.keyview;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;

class KeyViewFoldTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final KeyHash FIRST = KeyHash.of("a".repeat(64));
    private static final KeyHash SECOND = KeyHash.of("b".repeat(64));
    private static final KeyHash THIRD = KeyHash.of("c".repeat(64));

    @Test
    void aRotationWithoutGraceRetiresThePreviousSecretAtOnce() {
        KeyView rotated = KeyViewFold.apply(createdView(), rotation(SECOND, FIRST, AT, null), 1);

        assertThat(rotated.status()).isEqualTo(KeyStatus.ACTIVE);
        assertThat(rotated.keyHash()).isEqualTo(SECOND.hex());
        assertThat(rotated.previousKeyHash()).isNull();
        assertThat(rotated.retiredSecrets()).containsExactly(new KeyView.RetiredSecret(FIRST.hex(), AT));
        assertThat(rotated.version()).isEqualTo(1);
    }

    @Test
    void aPreviousSecretIsRetiredWhenItsGraceEnds() {
        Instant graceEnd = AT.plus(Duration.ofDays(7));
        KeyView rotating = KeyViewFold.apply(createdView(), rotation(SECOND, FIRST, graceEnd, null), 1);
        assertThat(rotating.status()).isEqualTo(KeyStatus.ROTATING);
        assertThat(rotating.previousKeyHash()).isEqualTo(FIRST.hex());
        assertThat(rotating.retiredSecrets()).isEmpty();

        KeyView ended = KeyViewFold.apply(rotating, new ApiKeyRotationGraceEndedEvent("key_1", FIRST, graceEnd), 2);

        assertThat(ended.status()).isEqualTo(KeyStatus.ACTIVE);
        assertThat(ended.previousKeyHash()).isNull();
        assertThat(ended.retiredSecrets()).containsExactly(new KeyView.RetiredSecret(FIRST.hex(), graceEnd));
    }

    @Test
    void aRotationDuringAGraceRetiresTheSecretItCutsShort() {
        KeyView rotating = KeyViewFold.apply(createdView(), rotation(SECOND, FIRST, AT.plus(Duration.ofDays(7)), null), 1);
        Instant later = AT.plus(Duration.ofHours(1));

        KeyView again = KeyViewFold.apply(rotating, new ApiKeyRotatedEvent("key_1", THIRD, "ss_live_ijkl", SECOND,
                later.plus(Duration.ofDays(7)), FIRST, later), 2);

        assertThat(again.keyHash()).isEqualTo(THIRD.hex());
        assertThat(again.previousKeyHash()).isEqualTo(SECOND.hex());
        assertThat(again.retiredSecrets()).containsExactly(new KeyView.RetiredSecret(FIRST.hex(), later));
    }

    @Test
    void retiredSecretsOutliveARevocationAndUsesAddUp() {
        KeyView rotated = KeyViewFold.apply(createdView(), rotation(SECOND, FIRST, AT, null), 1);
        KeyView used = KeyViewFold.apply(rotated, new ApiKeyUsedEvent("key_1", List.of(
                new UsageBatch(SECOND, UsageBatch.FIRST_EPOCH, 1, 5, 2, AT.plusSeconds(30))), AT.plusSeconds(60)), 2);
        KeyView revoked = KeyViewFold.apply(used, new ApiKeyRevokedEvent("key_1", SECOND, null, "leaked",
                AT.plusSeconds(90)), 3);

        assertThat(revoked.status()).isEqualTo(KeyStatus.REVOKED);
        assertThat(revoked.revokedAt()).isEqualTo(AT.plusSeconds(90));
        assertThat(revoked.usage()).isEqualTo(new KeyView.Usage(5, 2));
        assertThat(revoked.lastUsedAt()).isEqualTo(AT.plusSeconds(30));
        assertThat(revoked.retiredSecrets()).containsExactly(new KeyView.RetiredSecret(FIRST.hex(), AT));
    }

    @Test
    void aViewKnowsTheLatestTimestampOfItsEventsEvenWhenTheyComeOutOfOrder() {
        KeyView first = KeyViewFold.apply(null, stamped(created(), 0, AT.plusSeconds(10)));
        KeyView second = KeyViewFold.apply(first, stamped(revocation(), 1, AT.plusSeconds(5)));

        assertThat(first.foldedUntil()).isEqualTo(AT.plusSeconds(10));
        assertThat(second.foldedUntil()).as("a clock behind the first event's").isEqualTo(AT.plusSeconds(10));
    }

    @Test
    void theLatestTimestampIsKeptRoundedUpToTheMillisecondAsMongoDbStoresDates() {
        KeyView folded = KeyViewFold.apply(null, stamped(created(), 0, AT.plusNanos(1_500)));

        assertThat(folded.foldedUntil()).isEqualTo(AT.plusMillis(1));
        assertThat(KeyViewFold.apply(null, stamped(created(), 0, AT.plusMillis(7))).foldedUntil())
                .isEqualTo(AT.plusMillis(7));
    }

    @Test
    void aViewStoredWithoutTheLatestTimestampDoesNotGuessIt() {
        KeyView stored = KeyViewFold.apply(null, stamped(created(), 0, AT)).withFoldedUntil(null);

        assertThat(KeyViewFold.apply(stored, stamped(revocation(), 1, AT.plusSeconds(5))).foldedUntil()).isNull();
    }

    private static GenericDomainEventMessage<ApiKeyEvent> stamped(ApiKeyEvent event, long sequence, Instant at) {
        return new GenericDomainEventMessage<>("ApiKey", "key_1", sequence, event, MetaData.emptyInstance(),
                "event-" + sequence, at);
    }

    private static ApiKeyEvent created() {
        return new ApiKeyCreatedEvent("key_1", FIRST, "ss_live_abcd", KeyEnvironment.LIVE,
                "owner", "name", List.of("payments:read"), null, null, null, null, null, AT);
    }

    private static ApiKeyEvent revocation() {
        return new ApiKeyRevokedEvent("key_1", FIRST, null, "leaked", AT);
    }

    private static ApiKeyRotatedEvent rotation(KeyHash to, KeyHash from, Instant previousExpiresAt, KeyHash retired) {
        return new ApiKeyRotatedEvent("key_1", to, "ss_live_efgh", from, previousExpiresAt, retired, AT);
    }

    private static KeyView createdView() {
        return KeyViewFold.apply(null, created(), 0);
    }
}
