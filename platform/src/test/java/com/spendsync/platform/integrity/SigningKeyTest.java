package com.spendsync.platform.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @TempDir
    Path directory;

    @Test
    void aGeneratedKeyIsOwnerOnlyAndTheSameKeyWhenReadAgain() throws Exception {
        Path file = directory.resolve("keys").resolve("signing.pem");
        SigningKey generated = SigningKey.load(file, true);

        SigningKey read = SigningKey.load(file, false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SigningKey.fingerprint(read.publicKey())).isEqualTo(SigningKey.fingerprint(generated.publicKey()));
        assertThat(SigningKey.publicKeyFromPem(generated.publicKeyPem(), "served").getEncoded())
                .isEqualTo(generated.publicKey().getEncoded());
        assertThat(generated.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void aFileWhosePublicKeyIsAnotherKeysIsRefused() throws Exception {
        Path one = directory.resolve("one.pem");
        Path other = directory.resolve("other.pem");
        SigningKey.load(one, true);
        SigningKey second = SigningKey.load(other, true);
        String privateOfOne = Files.readString(one, StandardCharsets.US_ASCII).split("-----BEGIN PUBLIC KEY-----")[0];
        Path mixed = Files.writeString(directory.resolve("mixed.pem"), privateOfOne + second.publicKeyPem());

        assertThatThrownBy(() -> SigningKey.load(mixed, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the PRIVATE KEY's");
        assertThatThrownBy(() -> SigningKey.load(directory.resolve("absent.pem"), false))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void aSealVerifiesWithItsKeyOnlyAndAnyChangeToItBreaksTheSignature() throws Exception {
        SigningKey key = SigningKey.load(directory.resolve("k.pem"), true);
        SigningKey other = SigningKey.load(directory.resolve("o.pem"), true);
        Seal seal = Seal.sign(3, EventChain.GENESIS, Instant.parse("2026-12-03T12:00:00.123Z"), "node-1", false,
                List.of(new Seal.SealedHead("key_b", 4, "b".repeat(64)), new Seal.SealedHead("key_a", 2, "a".repeat(64))),
                key);

        assertThat(seal.signedBy(key.publicKey())).isTrue();
        assertThat(seal.signedBy(other.publicKey())).isFalse();
        assertThat(SealJson.read(SealJson.write(seal))).isEqualTo(seal);
        assertThat(seal.heads()).extracting(Seal.SealedHead::chain).containsExactly("key_a", "key_b");
        Seal lessClaimed = new Seal(seal.sequence(), seal.previous(), seal.sealedAt(), seal.node(), seal.migration(),
                List.of(seal.heads().get(0), new Seal.SealedHead("key_b", 3, "b".repeat(64))), seal.merkleRoot(),
                seal.keyId(), seal.signature(), seal.hash());
        Seal moved = new Seal(seal.sequence(), seal.previous(), seal.sealedAt().plusMillis(1), seal.node(),
                seal.migration(), seal.heads(), seal.merkleRoot(), seal.keyId(), seal.signature(), seal.hash());
        assertThat(lessClaimed.signedBy(key.publicKey())).isFalse();
        assertThat(moved.signedBy(key.publicKey())).isFalse();
    }
}
