package com.spendsync.command.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.Base62;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class GuessableKeysTest {

    @Test
    void aRandomPartOfFifteenDistinctCharactersIsGuessable() {
        assertThat(GuessableKeys.reason(keyWithRandomPartOf(15))).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("looks guessable").contains("only 15 of the 62"));
    }

    @Test
    void aRandomPartOfSixteenDistinctCharactersIsNot() {
        assertThat(GuessableKeys.reason(keyWithRandomPartOf(16))).isEmpty();
    }

    @Test
    void aGeneratedKeyIsNot() {
        assertThat(GuessableKeys.reason(ApiKeySecret.generate(KeyEnvironment.TEST, new SecureRandom()))).isEmpty();
    }

    @Test
    void theExampleTheReadmeShowsIsGuessableThoughItLooksRandom() {
        ApiKeySecret example = ApiKeySecret.parse("ss_live_Rt8KcvVDZSX9PukliyatBGQRGIMabPx68CYct77QO4y4YWfnG")
                .orElseThrow();

        assertThat(GuessableKeys.reason(example)).hasValue(
                "is an example key from the documentation, which anyone can read");
    }

    /** A live key whose 43 random characters cycle through the first {@code distinct} base62 digits. */
    private static ApiKeySecret keyWithRandomPartOf(int distinct) {
        StringBuilder body = new StringBuilder("ss_live_");
        for (int i = 0; i < ApiKeySecret.RANDOM_DIGITS; i++) {
            body.append(Base62.ALPHABET.charAt(i % distinct));
        }
        return ApiKeySecret.parse(body + ApiKeySecret.checksumOf(body.toString())).orElseThrow();
    }
}
