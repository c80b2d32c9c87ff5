package com.spendsync.api.keyformat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashSlotTest {

    /** Slots as Redis's CLUSTER KEYSLOT reports them; 123456789 is the CRC16/XMODEM check string (0x31C3). */
    @ParameterizedTest
    @CsvSource({"foo, 12182", "bar, 5061", "123456789, 12739", "'', 0"})
    void isTheSlotRedisClusterGivesTheTag(String tag, int slot) {
        assertThat(HashSlot.of(tag)).isEqualTo(slot);
    }
}
