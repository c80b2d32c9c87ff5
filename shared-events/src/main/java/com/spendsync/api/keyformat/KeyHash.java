package com.spendsync.api.keyformat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The SHA-256 of a whole key as 64 lowercase hex digits: the only form in which a key is stored. */
public record KeyHash(String hex) {

    public KeyHash {
        if (hex == null || hex.length() != 64 || !hex.chars().allMatch(KeyHash::isLowerHex)) {
            throw new IllegalArgumentException("a key hash is 64 lowercase hex digits");
        }
    }

    @JsonCreator
    public static KeyHash of(String hex) {
        return new KeyHash(hex);
    }

    @JsonValue
    @Override
    public String hex() {
        return hex;
    }

    private static boolean isLowerHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
