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

    /**
     * The Redis Cluster slot of this hash as a hash tag. Every Redis key of a secret carries its hash as tag, and a
     * rotated secret is minted in its predecessor's slot ({@link ApiKeySecret#rotatedFrom}) and a new key in its
     * owner's ({@link ApiKeySecret#forOwner}), so all secrets of a key, its rate-limit buckets and those its owner's
     * keys share lie in one slot.
     */
    public int slot() {
        return HashSlot.of(hex);
    }

    private static boolean isLowerHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
