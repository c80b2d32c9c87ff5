package com.spendsync.api.keyformat;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's slot of a hash tag: the CRC16 (XMODEM) of its bytes, mod 16384. Keys whose tags share a slot live on
 * one node, so one script may touch them all.
 */
public final class HashSlot {

    public static final int COUNT = 16384;
    private static final int[] CRC16 = new int[256];
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int b = 0; b < 256; b++) {
            int crc = b << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16[b] = crc & 0xffff;
        }
    }

    private HashSlot() {
    }

    public static int of(String tag) {
        int crc = 0;
        for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
            crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >>> 8) ^ b) & 0xff];
        }
        return crc % COUNT;
    }

    /** The slot of the lowercase hex form of {@code bytes} (a {@link KeyHash}'s tag), without making the string. */
    public static int ofHex(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >>> 8) ^ HEX[(b >>> 4) & 0xf]) & 0xff];
            crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >>> 8) ^ HEX[b & 0xf]) & 0xff];
        }
        return crc % COUNT;
    }
}
