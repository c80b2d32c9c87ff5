package com.spendsync.platform.integrity;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;

/**
 * The link of a stored event to its predecessor on its chain (docs/architecture.md, "Tamper-evident audit trail"):
 * a SHA-256 over the chain's name, the event's position on it, the predecessor's hash and every field the event store
 * keeps of the event, as stored. One definition, used where events are appended and wherever they are verified (the
 * online check reads stored documents, the offline verifier an export of the same fields).
 */
public final class EventChain {

    /** The fields a chained event carries beside axon-mongo's own. */
    public static final String CHAIN = "chain";
    public static final String POSITION = "chainSeq";
    public static final String PREVIOUS = "chainPrev";
    public static final String HASH = "chainHash";

    /** How the chain of a process's facts outside aggregates is named: the prefix, then a name drawn at start. */
    public static final String SERVICE_CHAIN_PREFIX = "service:";

    /** The predecessor of a chain's first event. */
    public static final String GENESIS = "0".repeat(64);

    private static final byte[] DOMAIN = "spendsync-audit-chain-v1".getBytes(StandardCharsets.UTF_8);
    private static final byte ABSENT = 0;
    private static final byte TEXT = 1;
    private static final byte NUMBER = 2;
    private static final byte OTHER = 3;

    private EventChain() {
    }

    /** A key's chain, named by the key's id, on which an event's position is its sequence number. */
    public static boolean isKeyChain(String chain) {
        return !chain.startsWith(SERVICE_CHAIN_PREFIX);
    }

    /** The stored fields of an event that its hash covers, in the order they are hashed (axon-mongo's names). */
    public static List<String> eventFields(EventEntryConfiguration fields) {
        return List.of(fields.eventIdentifierProperty(), fields.aggregateIdentifierProperty(),
                fields.sequenceNumberProperty(), fields.typeProperty(), fields.timestampProperty(),
                fields.payloadTypeProperty(), fields.payloadRevisionProperty(), fields.payloadProperty(),
                fields.metaDataProperty());
    }

    /**
     * The hash of a stored event (a MongoDB document or an export's map of the same fields) at a position of a chain.
     * A value's type is part of what is hashed: a number stored as text no longer matches.
     */
    public static String hash(Map<String, ?> stored, EventEntryConfiguration fields, String chain, long position,
                              String previous) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(DOMAIN);
            write(out, CHAIN, chain);
            write(out, POSITION, position);
            write(out, PREVIOUS, previous);
            for (String field : eventFields(fields)) {
                write(out, field, stored.get(field));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha256().digest(bytes.toByteArray()));
    }

    private static void write(DataOutputStream out, String name, Object value) throws IOException {
        text(out, name);
        if (value == null) {
            out.writeByte(ABSENT);
        } else if (value instanceof String string) {
            out.writeByte(TEXT);
            text(out, string);
        } else if (value instanceof Long || value instanceof Integer) {
            out.writeByte(NUMBER);
            out.writeLong(((Number) value).longValue());
        } else {
            // a value of a type this service never stores: hashed by its text, tagged so it cannot pass as text
            out.writeByte(OTHER);
            text(out, value.getClass().getName() + ":" + value);
        }
    }

    /** A text as hashed and signed here: its UTF-8 length, then its UTF-8 bytes. */
    static void text(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
