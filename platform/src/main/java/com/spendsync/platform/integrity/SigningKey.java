package com.spendsync.platform.integrity;

import com.spendsync.platform.files.OwnerOnlyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Ed25519 key that signs audit seals (JDK's own EdDSA). Kept as a PEM file of two blocks, the private key
 * (PKCS#8) and its public key (X.509), since the JDK derives no public key from a private one: generated on first
 * use, owner-only, or read from a file an operator provides in the same form.
 */
public final class SigningKey {

    private static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The key in this file, generated into it first if there is no such file and {@code generate} is set. */
    public static SigningKey load(Path file, boolean generate) throws IOException {
        if (Files.exists(file) || !generate) {
            return fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            SigningKey key = new SigningKey(pair.getPrivate(), pair.getPublic());
            OwnerOnlyFile.write(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + key.publicKeyPem());
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK 15+ has Ed25519", e);
        }
    }

    static SigningKey fromPem(String text, String source) {
        try {
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", source)));
            PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", source)));
            SigningKey key = new SigningKey(privateKey, publicKey);
            byte[] probe = "spendsync-audit-signing-key-probe".getBytes(StandardCharsets.US_ASCII);
            if (!verify(publicKey, probe, key.sign(probe))) {
                throw new IllegalArgumentException(source + ": its PUBLIC KEY is not the PRIVATE KEY's");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": not an Ed25519 key pair in PEM (" + e.getMessage() + ")", e);
        }
    }

    /** A public key in PEM (X.509 SubjectPublicKeyInfo), as served and as the offline verifier reads it. */
    public static PublicKey publicKeyFromPem(String text, String source) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(
                    new X509EncodedKeySpec(block(text, "PUBLIC KEY", source)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": not an Ed25519 public key in PEM (" + e.getMessage() + ")", e);
        }
    }

    public byte[] sign(byte[] content) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(content);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with Ed25519 failed", e);
        }
    }

    public static boolean verify(PublicKey publicKey, byte[] content, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(publicKey);
            signature.update(content);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /** The SHA-256 of the public key's encoding, naming the key in each seal. */
    public static String fingerprint(PublicKey publicKey) {
        return HexFormat.of().formatHex(EventChain.sha256().digest(publicKey.getEncoded()));
    }

    private static byte[] block(String text, String type, String source) {
        Matcher matcher = PEM_BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(matcher.group(2));
            }
        }
        throw new IllegalArgumentException(source + ": no " + type + " block");
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    @Override
    public String toString() {
        return "SigningKey[" + fingerprint(publicKey) + "]";
    }
}
