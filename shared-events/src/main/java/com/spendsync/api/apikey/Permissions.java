package com.spendsync.api.apikey;

import java.util.Collection;
import java.util.Set;

/**
 * What a permission grants. {@code *} grants everything; a permission ending in {@code *} grants every permission
 * that starts with what comes before it ({@code payments:*} grants {@code payments:read}). The verify script applies
 * the same rule in Lua.
 */
public final class Permissions {

    public static final String ALL = "*";

    /** The permissions of the management plane: a key holding any of them is a root key. */
    public static final Set<String> MANAGEMENT = Set.of(
            "keys:create", "keys:rotate", "keys:revoke", "keys:update", "keys:read", "keys:verify",
            "audit:read", "alerts:read", "admin:replay", "admin:read");

    private Permissions() {
    }

    public static boolean grants(Collection<String> held, String required) {
        for (String permission : held) {
            if (permission.equals(required)) {
                return true;
            }
            if (permission.endsWith("*")
                    && required.startsWith(permission.substring(0, permission.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    public static boolean grantsAll(Collection<String> held, Collection<String> required) {
        return required.stream().allMatch(permission -> grants(held, permission));
    }

    /** Whether these permissions reach the management plane, so that their key is a root key. */
    public static boolean reachManagement(Collection<String> permissions) {
        return MANAGEMENT.stream().anyMatch(permission -> grants(permissions, permission));
    }
}
