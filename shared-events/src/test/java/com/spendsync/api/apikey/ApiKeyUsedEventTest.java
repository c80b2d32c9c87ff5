package com.spendsync.api.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyUsedEventTest {

    private static final Instant USED_AT = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant FLUSHED_AT = USED_AT.plusSeconds(60);

    @Test
    void totalsTheBatchesOfEverySecret() {
        ApiKeyUsedEvent event = new ApiKeyUsedEvent("key_0001", List.of(
                new UsageBatch(secretHash(), "e1", 4, 5, 1, USED_AT.plusSeconds(5)),
                new UsageBatch(secretHash(), "e1", 1, 3, 2, USED_AT)), FLUSHED_AT);

        assertThat(event.validUses()).isEqualTo(8);
        assertThat(event.rejectedUses()).isEqualTo(3);
        assertThat(event.lastUsedAt()).isEqualTo(USED_AT.plusSeconds(5));
    }

    @Test
    void hasNoLastUseWhenNoUseWasValid() {
        ApiKeyUsedEvent event = new ApiKeyUsedEvent("key_0001", List.of(
                new UsageBatch(secretHash(), "e1", 1, 0, 2, null)), FLUSHED_AT);

        assertThat(event.validUses()).isZero();
        assertThat(event.lastUsedAt()).isNull();
    }

    private static KeyHash secretHash() {
        return ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).hash();
    }
}
