package com.spendsync.command.keys;

import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.keyformat.Base62;
import com.spendsync.platform.problem.ResourceNotFoundException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Key ids: {@code key_} and 128 random bits as 22 base62 digits. Not secret, but not guessable either. */
final class KeyIds {

    private static final int RANDOM_BYTES = 16;
    private static final int DIGITS = 22;
    private static final Pattern WELL_FORMED = Pattern.compile(ApiKeyEvent.KEY_ID_PREFIX + "[0-9A-Za-z]{" + DIGITS + "}");

    private KeyIds() {
    }

    static String next(SecureRandom random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return ApiKeyEvent.KEY_ID_PREFIX + Base62.encode(new BigInteger(1, bytes), DIGITS);
    }

    /** An id of another shape names no key: answer 404 without loading anything. */
    static void requireWellFormed(String keyId) {
        if (!WELL_FORMED.matcher(keyId).matches()) {
            throw new ResourceNotFoundException("no key has this id");
        }
    }
}
