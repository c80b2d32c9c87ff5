package com.spendsync.platform.integrity;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A signed statement of the heads of the chains that moved: at this instant, chain C ended at position P with hash
 * H. Seals form a chain of their own ({@code sequence}, {@code previous}), and each is signed with the installation's
 * Ed25519 key over {@link #signedContent()}, which holds a Merkle root over the heads (RFC 6962's tree hashing) and
 * the hash of the previous seal. Since a chain's hash at a position covers every event before it, one sealed head
 * proves that whole prefix of the chain.
 *
 * @param migration the seal of a store's events from before chaining, made once when they were chained
 */
public record Seal(long sequence, String previous, Instant sealedAt, String node, boolean migration,
                   List<SealedHead> heads, String merkleRoot, String keyId, String signature, String hash) {

    private static final byte[] DOMAIN = "spendsync-audit-seal-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte LEAF = 0;
    private static final byte NODE = 1;

    /** The head of one chain as a seal states it. */
    public record SealedHead(String chain, long position, String hash) {
    }

    /**
     * Makes and signs the seal that follows {@code previous} (its hash, or {@link EventChain#GENESIS}); its instant is
     * kept to the millisecond, as a MongoDB date keeps it, or the stored seal would not match its signature.
     */
    public static Seal sign(long sequence, String previous, Instant instant, String node, boolean migration,
                            List<SealedHead> heads, SigningKey key) {
        Instant sealedAt = instant.truncatedTo(ChronoUnit.MILLIS);
        List<SealedHead> ordered = heads.stream().sorted(Comparator.comparing(SealedHead::chain)).toList();
        String root = merkleRoot(ordered);
        String keyId = SigningKey.fingerprint(key.publicKey());
        byte[] content = signedContent(sequence, previous, sealedAt, node, migration, ordered.size(), root, keyId);
        return new Seal(sequence, previous, sealedAt, node, migration, ordered, root, keyId,
                Base64.getEncoder().encodeToString(key.sign(content)), hex(EventChain.sha256().digest(content)));
    }

    /** What the signature covers, and what {@link #hash} is the SHA-256 of. */
    public byte[] signedContent() {
        return signedContent(sequence, previous, sealedAt, node, migration, heads.size(), merkleRoot, keyId);
    }

    /** Whether the heads, root, hash and signature are what the holder of this public key signed. */
    public boolean signedBy(PublicKey publicKey) {
        byte[] content = signedContent();
        byte[] signatureBytes;
        try {
            signatureBytes = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return keyId.equals(SigningKey.fingerprint(publicKey))
                && merkleRoot.equals(merkleRoot(heads.stream().sorted(Comparator.comparing(SealedHead::chain)).toList()))
                && hash.equals(hex(EventChain.sha256().digest(content)))
                && SigningKey.verify(publicKey, content, signatureBytes);
    }

    static String merkleRoot(List<SealedHead> ordered) {
        List<byte[]> level = new ArrayList<>();
        for (SealedHead head : ordered) {
            level.add(digest(LEAF, leaf(head)));
        }
        if (level.isEmpty()) {
            return hex(EventChain.sha256().digest());
        }
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                // an odd node out is carried up unchanged, as RFC 6962 splits at the largest power of two
                next.add(i + 1 < level.size() ? digest(NODE, level.get(i), level.get(i + 1)) : level.get(i));
            }
            level = next;
        }
        return hex(level.get(0));
    }

    private static byte[] leaf(SealedHead head) {
        return bytes(out -> {
            EventChain.text(out, head.chain());
            out.writeLong(head.position());
            EventChain.text(out, head.hash());
        });
    }

    private static byte[] signedContent(long sequence, String previous, Instant sealedAt, String node,
                                        boolean migration, int headCount, String root, String keyId) {
        return bytes(out -> {
            out.write(DOMAIN);
            out.writeLong(sequence);
            EventChain.text(out, previous);
            EventChain.text(out, sealedAt.toString());
            EventChain.text(out, node);
            out.writeBoolean(migration);
            out.writeInt(headCount);
            EventChain.text(out, root);
            EventChain.text(out, keyId);
        });
    }

    private static byte[] digest(byte prefix, byte[]... parts) {
        MessageDigest digest = EventChain.sha256();
        digest.update(prefix);
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] bytes(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
