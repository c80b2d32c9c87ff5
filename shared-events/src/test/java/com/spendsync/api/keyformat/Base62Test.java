package com.spendsync.api.keyformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base62Test {

    private static final BigInteger BASE = BigInteger.valueOf(62);

    @Test
    void hasTheDigitsThenUppercaseThenLowercaseLetters() {
        assertThat(Base62.ALPHABET)
                .hasSize(62)
                .isEqualTo("0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abcdefghijklmnopqrstuvwxyz");
    }

    @ParameterizedTest(name = "{0} in {1} digits is {2}")
    @CsvSource({
            "0,             1, 0",
            "9,             1, 9",
            "10,            1, A",
            "36,            1, a",
            "61,            1, z",
            "62,            2, 10",
            "3843,          2, zz",
            "3844,          3, 100",
            "1000000,       4, 4C92",
            "4294967295,    6, 4gfFC3",
    })
    void writesTheMostSignificantDigitFirst(long value, int width, String expected) {
        assertEncodesTo(value, width, expected);
    }

    @ParameterizedTest(name = "{0} in {1} digits is {2}")
    @CsvSource({
            "0,     5, 00000",
            "61,    3, 00z",
            "62,    4, 0010",
    })
    void leftPadsWithZeros(long value, int width, String expected) {
        assertEncodesTo(value, width, expected);
    }

    @ParameterizedTest(name = "{0} does not fit in {1} digits")
    @CsvSource({
            "62,            1",
            "3844,          2",
            "56800235584,   6",
            "1,             0",
    })
    void rejectsAValueThatDoesNotFitTheWidth(long value, int width) {
        assertThatIllegalArgumentException().isThrownBy(() -> Base62.encode(value, width));
        assertThatIllegalArgumentException().isThrownBy(() -> Base62.encode(BigInteger.valueOf(value), width));
    }

    @Test
    void fitsUpTo62ToThePowerOfTheWidthMinusOne() {
        BigInteger limit = BASE.pow(43);

        assertThat(Base62.encode(limit.subtract(BigInteger.ONE), 43)).isEqualTo("z".repeat(43));
        assertThatIllegalArgumentException().isThrownBy(() -> Base62.encode(limit, 43));
    }

    @Test
    void rejectsANegativeValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> Base62.encode(-1L, 6));
        assertThatIllegalArgumentException().isThrownBy(() -> Base62.encode(BigInteger.valueOf(-1), 6));
    }

    @Test
    void takesEveryCharacterOfTheAlphabetAsADigit() {
        for (char digit : Base62.ALPHABET.toCharArray()) {
            assertThat(Base62.isDigit(digit)).as("'%s' is a digit", digit).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(chars = {'-', '_', ' ', '+', '/', '=', '@', '[', '`', '{', 'é', '٣'})
    void takesNoOtherCharacterAsADigit(char notADigit) {
        assertThat(Base62.isDigit(notADigit)).isFalse();
    }

    /** The long and the BigInteger overloads must agree on every value. */
    private static void assertEncodesTo(long value, int width, String expected) {
        assertThat(Base62.encode(value, width)).isEqualTo(expected);
        assertThat(Base62.encode(BigInteger.valueOf(value), width)).isEqualTo(expected);
    }
}
