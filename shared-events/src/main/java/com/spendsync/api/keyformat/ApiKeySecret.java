package com.spendsync.api.keyformat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A plaintext API key. It lives in memory only while a key is created, rotated or verified: it is never a field of an
 * event or a view, and {@link #toString()} shows the safe prefix only, so it cannot leak through a log line.
 *
 * <p>Format: {@code ss_live_} or {@code ss_test_}, 32 random bytes as 43 base62 digits, then the CRC32 of everything
 * before it as 6 base62 digits. The checksum lets secret scanners and the verify endpoint reject a malformed key
 * without any lookup.
 */
public final class ApiKeySecret {

    public static final int RANDOM_BYTES = 32;
    public static final int RANDOM_DIGITS = 43;
    public static final int CHECKSUM_DIGITS = 6;
    public static final int ENVIRONMENT_PREFIX_LENGTH = "ss_live_".length();
    public static final int LENGTH = ENVIRONMENT_PREFIX_LENGTH + RANDOM_DIGITS + CHECKSUM_DIGITS;
    public static final int VISIBLE_PREFIX_LENGTH = 12;
    private static final int SEARCHED_DIGITS = 3;
    private static final int SEARCH_SPACE = 62 * 62 * 62;

    // a digest per thread: looking one up per call is a provider search on the verify path (digest() resets it)
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(ApiKeySecret::sha256);

    private final String value;
    private final KeyEnvironment environment;

    private ApiKeySecret(String value, KeyEnvironment environment) {
        this.value = value;
        this.environment = environment;
    }

    public static ApiKeySecret generate(KeyEnvironment environment, SecureRandom random) {
        return from(environment, SecretRandom.generate(random));
    }

    public static ApiKeySecret from(KeyEnvironment environment, SecretRandom random) {
        String body = environment.keyPrefix() + Base62.encode(new BigInteger(1, random.bytes()), RANDOM_DIGITS);
        return new ApiKeySecret(body + checksumOf(body), environment);
    }

    /**
     * The secret a key rotates to: one in the previous secret's {@linkplain KeyHash#slot() slot} ({@link #inSlot}), so
     * a key's secrets and its rate-limit buckets stay in one Redis Cluster slot and verification stays one script
     * call.
     */
    public static ApiKeySecret rotatedFrom(KeyHash previous, KeyEnvironment environment, SecretRandom seed) {
        return inSlot(previous.slot(), environment, seed);
    }

    /**
     * A new key's secret: in its owner's slot ({@link #ownerSlot}), like every key of the owner, so a limit shared by
     * the owner's keys can lie in the same Redis Cluster slot as each of their entries.
     */
    public static ApiKeySecret forOwner(String ownerId, KeyEnvironment environment, SecretRandom seed) {
        return inSlot(ownerSlot(ownerId), environment, seed);
    }

    /** The Redis Cluster slot of the owner's keys (keys created before owner-wide limits may lie elsewhere). */
    public static int ownerSlot(String ownerId) {
        return HashSlot.of(ownerId);
    }

    /**
     * A secret from {@code seed} whose hash lands in {@code slot}: the random part as drawn but for its last
     * {@value #SEARCHED_DIGITS} digits, which are searched for the first value that lands there (16,384 candidates
     * on average, each a CRC32 and a SHA-256 of the key's bytes); in the rare case none does, the same again from the
     * next random derived from the seed. The slot fixes 14 bits of the hash, which is public anyway; the digits left
     * as drawn hold some 238 bits that no one can guess, the holder of any other secret of the key or owner included.
     */
    public static ApiKeySecret inSlot(int slot, KeyEnvironment environment, SecretRandom seed) {
        MessageDigest sha256 = SHA_256.get();
        CRC32 crc = new CRC32();
        int searchedFrom = LENGTH - CHECKSUM_DIGITS - SEARCHED_DIGITS;
        for (long n = 0; ; n++) {
            byte[] key = from(environment, seed.derived(n)).value.getBytes(StandardCharsets.US_ASCII);
            for (int candidate = 0; candidate < SEARCH_SPACE; candidate++) {
                Base62.encodeInto(candidate, key, searchedFrom, SEARCHED_DIGITS);
                crc.reset();
                crc.update(key, 0, LENGTH - CHECKSUM_DIGITS);
                Base62.encodeInto(crc.getValue(), key, LENGTH - CHECKSUM_DIGITS, CHECKSUM_DIGITS);
                if (HashSlot.ofHex(sha256.digest(key)) == slot) {
                    return new ApiKeySecret(new String(key, StandardCharsets.US_ASCII), environment);
                }
            }
        }
    }

    /** The key, if the text has the right prefix, length, alphabet and checksum; empty otherwise. */
    public static Optional<ApiKeySecret> parse(String text) {
        if (text == null || text.length() != LENGTH) {
            return Optional.empty();
        }
        KeyEnvironment environment = environmentOf(text);
        if (environment == null) {
            return Optional.empty();
        }
        for (int i = ENVIRONMENT_PREFIX_LENGTH; i < LENGTH; i++) {
            if (!Base62.isDigit(text.charAt(i))) {
                return Optional.empty();
            }
        }
        String body = text.substring(0, LENGTH - CHECKSUM_DIGITS);
        if (!checksumOf(body).equals(text.substring(LENGTH - CHECKSUM_DIGITS))) {
            return Optional.empty();
        }
        return Optional.of(new ApiKeySecret(text, environment));
    }

    public KeyHash hash() {
        byte[] digest = SHA_256.get().digest(value.getBytes(StandardCharsets.US_ASCII));
        return new KeyHash(HexFormat.of().formatHex(digest));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public String prefix() {
        return value.substring(0, VISIBLE_PREFIX_LENGTH);
    }

    public KeyEnvironment environment() {
        return environment;
    }

    /** The plaintext, for the one response that hands it to its owner. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "ApiKeySecret[" + prefix() + "...]";
    }

    /** The checksum of a key's first 51 characters: public, as the format is, so tools can make and check keys. */
    public static String checksumOf(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return Base62.encode(crc.getValue(), CHECKSUM_DIGITS);
    }

    private static KeyEnvironment environmentOf(String text) {
        for (KeyEnvironment environment : KeyEnvironment.values()) {
            if (text.startsWith(environment.keyPrefix())) {
                return environment;
            }
        }
        return null;
    }
}
