package com.spendsync.api.authority;

import java.util.List;

/**
 * The owners a root key acts on: each entry an ownerId, or a prefix ending in {@code *} that covers every ownerId
 * starting with what comes before it. A key without a scope (null where a scope is expected) acts on every owner.
 */
public record KeyScope(List<String> owners) {

    public static final int MAX_OWNERS = 100;

    /** An empty scope would read as "no scope", which means every owner: it is refused rather than widened. */
    public KeyScope {
        owners = List.copyOf(owners);
        if (owners.isEmpty()) {
            throw new IllegalArgumentException("a scope names at least one owner");
        }
    }

    public static KeyScope of(String... owners) {
        return new KeyScope(List.of(owners));
    }

    /** Whether {@code ownerId} is one of this scope's owners. */
    public boolean covers(String ownerId) {
        return ownerId != null && owners.stream().anyMatch(entry -> entryCovers(entry, ownerId));
    }

    /**
     * Whether every owner this scope covers is covered by {@code outer} too; a null {@code outer} (no scope) covers
     * everything.
     */
    public boolean within(KeyScope outer) {
        return outer == null || owners.stream().allMatch(entry -> outer.owners.stream()
                .anyMatch(outerEntry -> entryCovers(outerEntry, entry)));
    }

    /**
     * An entry covers an ownerId it equals or, ending in {@code *}, starts like; the same test on an entry read as
     * text tells whether one entry covers all that another covers ({@code acme*} covers {@code acme-eu*}).
     */
    private static boolean entryCovers(String entry, String owner) {
        return entry.endsWith("*") ? owner.startsWith(entry.substring(0, entry.length() - 1)) : entry.equals(owner);
    }
}
