package com.spendsync.api.apikey;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The networks a key may be used from: IPv4 and IPv6 addresses and CIDR blocks, in one canonical form
 * ({@code 203.0.113.0/24}, {@code 2001:db8::/48}, a single address as {@code /32} or {@code /128}, an IPv4-mapped IPv6
 * address as the IPv4 one), and the rule that admits a source. Addresses are compared as bit strings, {@code 4:} or
 * {@code 6:} and the address's bits: a block admits every address whose bits start with the block's prefix. The
 * verify script runs the same comparison on the same strings, so the rule has one form in both places.
 */
public final class AllowedSources {

    public static final int MAX_ENTRIES = 100;
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    private static final Pattern LENGTH = Pattern.compile("0|[1-9]\\d{0,2}");

    private AllowedSources() {
    }

    /** The entry in canonical form, host bits cleared; empty when it is no address or block. */
    public static Optional<String> canonical(String entry) {
        if (entry == null) {
            return Optional.empty();
        }
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        Optional<byte[]> parsed = address(address);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = parsed.get();
        boolean mapped = bytes.length == 4 && address.contains(":");
        int bits = bytes.length * 8;
        int length = bits;
        if (slash >= 0) {
            String given = entry.substring(slash + 1);
            if (!LENGTH.matcher(given).matches()) {
                return Optional.empty();
            }
            length = Integer.parseInt(given);
            if (mapped) {
                // ::ffff:a.b.c.d/n is the IPv4 block of n - 96 bits; a shorter prefix is not an IPv4 block
                length -= 96;
                if (length < 0) {
                    return Optional.empty();
                }
            }
            if (length > bits) {
                return Optional.empty();
            }
        }
        for (int bit = length; bit < bits; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        try {
            String network = InetAddress.getByAddress(bytes).getHostAddress();
            return Optional.of(compressed(network, bytes.length) + "/" + length);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The blocks in canonical form, each once, in the order given; none (null) for a missing or empty list. An entry
     * that is no address or block is an {@link IllegalArgumentException}: callers check each with {@link #canonical}
     * first, to name the one at fault.
     */
    public static List<String> canonicalAll(List<String> entries) {
        if (entries == null || entries.isEmpty()) {
            return null;
        }
        return entries.stream().map(entry -> canonical(entry).orElseThrow(() ->
                new IllegalArgumentException("no address or CIDR block: " + entry))).distinct().toList();
    }

    /** The prefix a canonical block admits: its family and its first (length) bits. */
    public static String prefixBits(String canonicalBlock) {
        int slash = canonicalBlock.indexOf('/');
        byte[] bytes = address(canonicalBlock.substring(0, slash)).orElseThrow();
        return bits(bytes, Integer.parseInt(canonicalBlock.substring(slash + 1)));
    }

    /** The source's family and all its bits, when it is an IPv4 or IPv6 address; an IPv4-mapped one as IPv4. */
    public static Optional<String> addressBits(String source) {
        return address(source).map(bytes -> bits(bytes, bytes.length * 8));
    }

    /**
     * What the verify script is given for {@code source}: its bits, "" when it is no address (never admitted), or
     * {@code *}, which only null gives, for a look at the key that is not a use of it (a management credential's
     * check). A source a client sends, {@code *} included, is always checked.
     */
    public static String scriptArgument(String source) {
        return source == null ? "*" : addressBits(source).orElse("");
    }

    /** Whether a key with these blocks (null or empty: no allowlist) may be used from {@code source}. */
    public static boolean admits(List<String> canonicalBlocks, String source) {
        return canonicalBlocks == null || canonicalBlocks.isEmpty()
                || within(canonicalBlocks.stream().map(AllowedSources::prefixBits).toList(), source);
    }

    /** Whether {@code source} is an address whose bits start with one of these {@link #prefixBits}. */
    public static boolean within(List<String> prefixes, String source) {
        Optional<String> bits = addressBits(source);
        return bits.isPresent() && prefixes.stream().anyMatch(prefix -> bits.get().startsWith(prefix));
    }

    /**
     * The address's bytes, without ever asking DNS: a literal IPv4 dotted quad, or an IPv6 address of at most four
     * hex digits a group whose embedded IPv4 part, if any, is a dotted quad too; nothing else. (InetAddress parses
     * a literal only when it starts with a hex digit or a colon, and would look anything else up.) The IPv4-
     * compatible form {@code ::a.b.c.d}, deprecated, is refused: it would read as an IPv6 address.
     */
    private static Optional<byte[]> address(String text) {
        if (text == null) {
            return Optional.empty();
        }
        if (!IPV4.matcher(text).matches() && !ipv6Literal(text)) {
            return Optional.empty();
        }
        try {
            // a literal: InetAddress parses it, and turns an IPv4-mapped IPv6 address into the IPv4 one
            InetAddress address = InetAddress.getByName(text);
            byte[] bytes = address.getAddress();
            if (bytes.length == 16 && text.contains(".") && isZero(bytes, 12)) {
                return Optional.empty();
            }
            return Optional.of(bytes);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean ipv6Literal(String text) {
        if (!text.contains(":") || !IPV6.matcher(text).matches()) {
            return false;
        }
        String[] groups = text.split(":", -1);
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            boolean last = i == groups.length - 1;
            if (group.contains(".") ? !last || !IPV4.matcher(group).matches() : group.length() > 4) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String bits(byte[] bytes, int length) {
        StringBuilder bits = new StringBuilder(length + 2).append(bytes.length == 4 ? "4:" : "6:");
        for (int bit = 0; bit < length; bit++) {
            bits.append((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0 ? '1' : '0');
        }
        return bits.toString();
    }

    /** RFC 5952's form of an IPv6 address (Java writes every group: 2001:db8:0:0:0:0:0:0). */
    private static String compressed(String address, int byteCount) {
        if (byteCount == 4) {
            return address;
        }
        String[] groups = address.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
