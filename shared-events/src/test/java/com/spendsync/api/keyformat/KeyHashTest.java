package com.spendsync.api.keyformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

class KeyHashTest {

    private static final String VALID_HEX = "0123456789abcdef".repeat(4);

    @Test
    void acceptsSixtyFourLowercaseHexDigits() {
        assertThat(KeyHash.of(VALID_HEX).hex()).isEqualTo(VALID_HEX);
    }

    @Test
    void isEqualToAnotherHashOfTheSameDigits() {
        assertThat(KeyHash.of(VALID_HEX)).isEqualTo(new KeyHash(VALID_HEX));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @MethodSource("notSixtyFourLowercaseHexDigits")
    void rejects(String hex) {
        assertThatIllegalArgumentException().isThrownBy(() -> KeyHash.of(hex));
    }

    static Stream<String> notSixtyFourLowercaseHexDigits() {
        return Stream.of(
                VALID_HEX.toUpperCase(),
                "A" + VALID_HEX.substring(1),
                VALID_HEX.substring(1),
                VALID_HEX + "0",
                "g" + VALID_HEX.substring(1),
                " " + VALID_HEX.substring(1));
    }
}
