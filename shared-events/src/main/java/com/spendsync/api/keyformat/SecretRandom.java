package com.spendsync.api.keyformat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    /** The {@code n}th random derived from this one: SHA-256 of its bytes and {@code n}, as uniform as the bytes. */
    SecretRandom derived(long n) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(bytes);
            return new SecretRandom(sha256.digest(ByteBuffer.allocate(Long.BYTES).putLong(n).array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "SecretRandom[redacted]";
    }
}
