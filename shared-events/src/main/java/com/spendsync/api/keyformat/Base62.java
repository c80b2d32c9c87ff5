package com.spendsync.api.keyformat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Base62 with the alphabet {@code 0-9A-Za-z}, most significant digit first, left-padded with {@code 0}. */
public final class Base62 {

    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int CHUNK_DIGITS = 10;
    private static final BigInteger CHUNK = BigInteger.valueOf(62).pow(CHUNK_DIGITS);

    private Base62() {
    }

    public static String encode(BigInteger value, int width) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException("negative value");
        }
        // ten digits at a time in a long: a rotation encodes some 16,000 candidate keys
        char[] digits = new char[width];
        BigInteger rest = value;
        for (int end = width; end > 0; end -= CHUNK_DIGITS) {
            BigInteger[] quotientAndRemainder = rest.divideAndRemainder(CHUNK);
            long chunk = quotientAndRemainder[1].longValue();
            for (int i = end - 1; i >= Math.max(0, end - CHUNK_DIGITS); i--) {
                digits[i] = ALPHABET.charAt((int) (chunk % 62));
                chunk /= 62;
            }
            if (chunk != 0) {
                throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
            }
            rest = quotientAndRemainder[0];
        }
        if (rest.signum() != 0) {
            throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
        }
        return new String(digits);
    }

    public static String encode(long value, int width) {
        byte[] digits = new byte[width];
        encodeInto(value, digits, 0, width);
        return new String(digits, StandardCharsets.US_ASCII);
    }

    /** Writes {@code value} as {@code width} ASCII digits into {@code bytes} from {@code offset}. */
    public static void encodeInto(long value, byte[] bytes, int offset, int width) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value");
        }
        long rest = value;
        for (int i = offset + width - 1; i >= offset; i--) {
            bytes[i] = (byte) ALPHABET.charAt((int) (rest % 62));
            rest /= 62;
        }
        if (rest != 0) {
            throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
        }
    }

    public static boolean isDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
