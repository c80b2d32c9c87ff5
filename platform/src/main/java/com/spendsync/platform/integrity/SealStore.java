package com.spendsync.platform.integrity;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.bson.Document;

/**
 * The seals in MongoDB ({@code audit_seals}, in the audit database): one document per seal, its sequence as the
 * {@code _id}, so the seal chain's order and uniqueness need no index of their own and two instances that seal at once
 * cannot both take the same place.
 */
public final class SealStore {

    public static final String COLLECTION = "audit_seals";
    private static final int PLACE_ATTEMPTS = 10;

    private final MongoCollection<Document> seals;

    public SealStore(MongoCollection<Document> seals) {
        this.seals = seals;
    }

    /** The newest seal, or null before the first. */
    public Seal latest() {
        Document newest = seals.find().sort(Sorts.descending("_id")).first();
        return newest == null ? null : fromDocument(newest);
    }

    /**
     * Stores the seal at its sequence; false if another seal took that place first (the caller signs a new one
     * after it).
     */
    public boolean add(Seal seal) {
        try {
            seals.insertOne(toDocument(seal));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Signs the heads as the seal after the newest and stores it there; signs again after the new newest if another
     * instance took that place first.
     */
    public Seal append(List<Seal.SealedHead> heads, boolean migration, String node, SigningKey key, Clock clock) {
        for (int attempt = 0; attempt < PLACE_ATTEMPTS; attempt++) {
            Seal latest = latest();
            Seal seal = Seal.sign(latest == null ? 0 : latest.sequence() + 1,
                    latest == null ? EventChain.GENESIS : latest.hash(), clock.instant(),
                    node, migration, heads, key);
            if (add(seal)) {
                return seal;
            }
        }
        throw new IllegalStateException("the seal chain's next place was taken " + PLACE_ATTEMPTS + " times in a row");
    }

    /** Every seal in sequence order, one at a time. */
    public void forEach(Consumer<Seal> action) {
        seals.find().sort(Sorts.ascending("_id")).batchSize(500).forEach(document -> action.accept(fromDocument(document)));
    }

    static Document toDocument(Seal seal) {
        return new Document("_id", seal.sequence())
                .append("previous", seal.previous())
                .append("sealedAt", Date.from(seal.sealedAt()))
                .append("node", seal.node())
                .append("migration", seal.migration())
                .append("heads", seal.heads().stream().map(head -> new Document("chain", head.chain())
                        .append("position", head.position()).append("hash", head.hash())).toList())
                .append("merkleRoot", seal.merkleRoot())
                .append("keyId", seal.keyId())
                .append("signature", seal.signature())
                .append("hash", seal.hash());
    }

    /** A stored seal as it reads, whatever was done to it: a field of the wrong type reads as empty. */
    static Seal fromDocument(Document document) {
        List<Seal.SealedHead> heads = document.getList("heads", Document.class, List.of()).stream()
                .map(head -> new Seal.SealedHead(String.valueOf(head.get("chain")), number(head.get("position")),
                        String.valueOf(head.get("hash"))))
                .toList();
        Date sealedAt = document.get("sealedAt") instanceof Date date ? date : new Date(0);
        return new Seal(number(document.get("_id")), String.valueOf(document.get("previous")), sealedAt.toInstant(),
                String.valueOf(document.get("node")), Boolean.TRUE.equals(document.get("migration")), heads,
                String.valueOf(document.get("merkleRoot")), String.valueOf(document.get("keyId")),
                String.valueOf(document.get("signature")), String.valueOf(document.get("hash")));
    }

    private static long number(Object value) {
        return value instanceof Number number ? number.longValue() : -1;
    }
}
