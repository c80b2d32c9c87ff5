package com.spendsync.platform.auth;

import com.spendsync.api.apikey.AllowedSources;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * The address a request came from, for refusal counts and for allowlists when a verification names no source: the
 * connection's peer, or, when the peer is one of the trusted proxies ({@code SPENDSYNC_TRUSTED_PROXIES}, addresses
 * or CIDR blocks; none by default), the right-most {@code X-Forwarded-For} entry that is not a trusted proxy, as
 * Tomcat's RemoteIpValve reads it. A header from anyone else is ignored, so a caller cannot choose its own address.
 * One rule for both ports.
 */
@Component
public class ClientAddresses {

    public static final String FORWARDED_FOR = "X-Forwarded-For";
    /** The most hops looked at, from the right: a header of thousands costs no more than this. */
    static final int MAX_HOPS = 20;
    /** A hop some proxies write with its port: 203.0.113.7:4711 or [2001:db8::1]:443. */
    private static final Pattern WITH_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::\\d+)?|([0-9.]+):\\d+");

    /** The trusted proxies' blocks as {@link AllowedSources#prefixBits}, worked out once. */
    private final List<String> trustedProxies;

    public ClientAddresses(@Value("${spendsync.trusted-proxies:}") String trustedProxies) {
        List<String> blocks = new ArrayList<>();
        for (String entry : StringUtils.commaDelimitedListToStringArray(trustedProxies)) {
            String trimmed = entry.trim();
            if (!trimmed.isEmpty()) {
                blocks.add(AllowedSources.prefixBits(AllowedSources.canonical(trimmed).orElseThrow(() ->
                        new IllegalArgumentException("SPENDSYNC_TRUSTED_PROXIES: '" + trimmed
                                + "' is no IPv4 or IPv6 address or CIDR block"))));
            }
        }
        this.trustedProxies = List.copyOf(blocks);
    }

    public String of(HttpServletRequest request) {
        return of(request.getRemoteAddr(), Collections.list(request.getHeaders(FORWARDED_FOR)));
    }

    /** The client behind {@code peer}, given the {@code X-Forwarded-For} headers the request carried. */
    public String of(String peer, List<String> forwardedFor) {
        if (peer == null || trustedProxies.isEmpty() || !trusted(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(withoutPort(hop.trim()));
                }
            }
        }
        int first = Math.max(0, hops.size() - MAX_HOPS);
        for (int i = hops.size() - 1; i >= first; i--) {
            if (!trusted(hops.get(i))) {
                return hops.get(i);
            }
        }
        return hops.isEmpty() ? peer : hops.get(first);
    }

    private static String withoutPort(String hop) {
        Matcher matcher = WITH_PORT.matcher(hop);
        if (!matcher.matches()) {
            return hop;
        }
        return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
    }

    private boolean trusted(String address) {
        return AllowedSources.within(trustedProxies, address);
    }
}
