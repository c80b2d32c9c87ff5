package com.spendsync.command.bootstrap;

import com.spendsync.api.keyformat.ApiKeySecret;
import java.util.Optional;
import java.util.Set;

/**
 * Keys an operator must not give as {@code SPENDSYNC_BOOTSTRAP_KEY}, since someone could guess them: one whose random
 * part repeats a few characters (typed by hand or made up), or one the documentation shows, which anyone can read.
 */
final class GuessableKeys {

    /**
     * A generated key has about 31 distinct characters among its 43 random ones; fewer than 16 happens by chance
     * less than once in a trillion keys.
     */
    static final int MIN_DISTINCT_RANDOM_CHARACTERS = 16;

    /** Every complete key README.md, docs/ and the examples show: BootstrapTest fails on one missing here. */
    private static final Set<String> DOCUMENTED_EXAMPLES =
            Set.of("ss_live_Rt8KcvVDZSX9PukliyatBGQRGIMabPx68CYct77QO4y4YWfnG");

    private GuessableKeys() {
    }

    /** Why the key could be guessed, as the end of a sentence about it; empty if it could not. */
    static Optional<String> reason(ApiKeySecret key) {
        if (DOCUMENTED_EXAMPLES.contains(key.reveal())) {
            return Optional.of("is an example key from the documentation, which anyone can read");
        }
        long distinct = key.reveal().chars().skip(ApiKeySecret.ENVIRONMENT_PREFIX_LENGTH)
                .limit(ApiKeySecret.RANDOM_DIGITS).distinct().count();
        if (distinct < MIN_DISTINCT_RANDOM_CHARACTERS) {
            return Optional.of("looks guessable: its " + ApiKeySecret.RANDOM_DIGITS + " random characters use only "
                    + distinct + " of the 62 base62 digits, where a generated key uses about 31 (at least "
                    + MIN_DISTINCT_RANDOM_CHARACTERS + " are required)");
        }
        return Optional.empty();
    }
}
