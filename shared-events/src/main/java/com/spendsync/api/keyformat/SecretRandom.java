package com.spendsync.api.keyformat;

import java.security.SecureRandom;

/**
 * The random part of a secret before it becomes a key: it lets the aggregate mint a rotated secret in the key's own
 * environment. In memory only; {@link #toString()} never shows the bytes.
 */
public final class SecretRandom {

    private final byte[] bytes;

    private SecretRandom(byte[] bytes) {
        this.bytes = bytes;
    }

    public static SecretRandom generate(SecureRandom random) {
        byte[] bytes = new byte[ApiKeySecret.RANDOM_BYTES];
        random.nextBytes(bytes);
        return new SecretRandom(bytes);
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "SecretRandom[redacted]";
    }
}
