package com.spendsync.api.authority;

import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.authority.AuthorityException.Reason;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;

/**
 * The one authority rule of the management plane: what the root key behind a request may do. A caller acts on a key
 * only if (a) it holds the operation's permission, (b) it holds every management permission the key holds, and a
 * scope at least as wide, (c) the key is inside its scope (else the key is not found), and (d) the environments
 * agree: a {@code test} root key manages and verifies {@code test} keys only. Granting follows the same rule: no
 * key hands out management power it does not hold. Installation-wide operations ({@code admin:*}) need an unscoped
 * live root key.
 *
 * <p>The wildcard rule is {@link Permissions#grants}, read with the held permission as a pattern too: {@code keys:*}
 * covers {@code keys:rotate}, only {@code *} covers {@code *}.
 *
 * A root key that expires cannot outlive itself through others either: a key holding management permissions that it
 * creates or changes expires no later than it does.
 *
 * @param keyId       the caller's key id, null for SpendSync itself
 * @param scope       the owners it acts on; null: every owner
 * @param environment the environment of the caller's own key
 * @param expiresAt   when the caller's own key expires (or its secret's grace ends); null: never
 */
public record Authority(String keyId, List<String> permissions, KeyScope scope, KeyEnvironment environment,
                        Instant expiresAt) {

    /** SpendSync acting by itself (bootstrap): unscoped, live, {@code *}. */
    public static final Authority SYSTEM = new Authority(null, List.of(Permissions.ALL), null, KeyEnvironment.LIVE);

    private static final String INSTALLATION_WIDE_PREFIX = "admin:";

    public Authority {
        permissions = List.copyOf(permissions);
    }

    /** A caller whose own key never expires. */
    public Authority(String keyId, List<String> permissions, KeyScope scope, KeyEnvironment environment) {
        this(keyId, permissions, scope, environment, null);
    }

    public boolean scoped() {
        return scope != null;
    }

    /** (a): the operation's permission, and for an installation-wide one an unscoped live key. */
    public void requirePermission(String permission) {
        requirePermission(permission, permission.startsWith(INSTALLATION_WIDE_PREFIX));
    }

    /**
     * (a) for an operation that reads or acts on the whole installation whatever its permission's name (the audit
     * trail's integrity check sees every owner's events): the permission, and an unscoped live key.
     */
    public void requirePermission(String permission, boolean installationWide) {
        if (!Permissions.grants(permissions, permission)) {
            throw refused(Reason.MISSING_PERMISSION, null, "this root key lacks the permission " + permission);
        }
        if (installationWide && (scoped() || environment != KeyEnvironment.LIVE)) {
            throw refused(Reason.INSTALLATION_WIDE, null, "this operation acts on the whole installation: it needs "
                    + "an unscoped live root key");
        }
    }

    /** Rules (a) to (d) for an operation on an existing key. */
    public void requireOver(ManagedKey target, String permission) {
        requirePermission(permission);
        if (!sees(target.ownerId())) {
            throw refused(Reason.OUTSIDE_SCOPE, target.keyId(), "no key has this id");
        }
        if (!manages(target.environment())) {
            throw refused(Reason.ENVIRONMENT, target.keyId(), "a test root key manages test keys only");
        }
        String stronger = firstNotHeld(target.permissions());
        if (stronger != null) {
            throw refused(Reason.STRONGER_KEY, target.keyId(), "the key holds the management permission "
                    + stronger + ", which this root key does not hold");
        }
        if (Permissions.reachManagement(target.permissions()) && !scopeWithinOwn(target.scope())) {
            throw refused(Reason.STRONGER_KEY, target.keyId(),
                    "the key's scope reaches owners outside this root key's scope");
        }
    }

    /** Whether {@link #requireOver} would let the caller act: for leaving out of listings what it may not read. */
    public boolean permits(ManagedKey target, String permission) {
        try {
            requireOver(target, permission);
            return true;
        } catch (AuthorityException refused) {
            return false;
        }
    }

    /** The rules for a new key: its owner and environment within reach, and no wider power than the caller's. */
    public void requireMayCreate(ManagedKey key) {
        requirePermission("keys:create");
        if (!sees(key.ownerId())) {
            throw refused(Reason.OWNER_OUTSIDE_SCOPE, null, "ownerId is outside this root key's scope");
        }
        if (!manages(key.environment())) {
            throw refused(Reason.ENVIRONMENT, null, "a test root key creates test keys only");
        }
        requireMayGrant(key);
    }

    /** An update: the rules over the key as it is, and no wider power than the caller's in what it becomes. */
    public void requireMayUpdate(ManagedKey before, ManagedKey after) {
        requireOver(before, "keys:update");
        requireMayGrant(after);
    }

    /** Whether a key of this owner is inside the caller's scope: what listings and filters keep. */
    public boolean sees(String ownerId) {
        return scope == null || scope.covers(ownerId);
    }

    /** Whether the caller manages (and verifies) keys of this environment. */
    public boolean manages(KeyEnvironment keyEnvironment) {
        return environment == KeyEnvironment.LIVE || keyEnvironment == environment;
    }

    /** The environment of a key this caller creates: a test root key creates test keys whatever it asks. */
    public KeyEnvironment environmentOfNewKey(KeyEnvironment requested) {
        if (environment == KeyEnvironment.TEST) {
            return KeyEnvironment.TEST;
        }
        return requested == null ? KeyEnvironment.LIVE : requested;
    }

    /** The scope of a key this caller creates: a scoped caller's own scope, unless it names a narrower one. */
    public KeyScope scopeOfNewKey(KeyScope requested, List<String> newPermissions) {
        if (requested == null && scoped() && Permissions.reachManagement(newPermissions)) {
            return scope;
        }
        return requested;
    }

    private void requireMayGrant(ManagedKey key) {
        String wider = firstNotHeld(key.permissions());
        if (wider != null) {
            throw refused(Reason.WIDER_GRANT, key.keyId(),
                    "a root key cannot grant " + wider + ", which it does not hold itself");
        }
        boolean rootKey = Permissions.reachManagement(key.permissions());
        // a scope is checked even on a key without management power: it would carry over to a later grant
        if ((rootKey || key.scope() != null) && !scopeWithinOwn(key.scope())) {
            throw refused(Reason.WIDER_GRANT, key.keyId(), key.scope() == null
                    ? "a scoped root key cannot give a key with management permissions an unlimited scope"
                    : "the scope reaches owners outside this root key's scope");
        }
        if (rootKey && expiresAt != null && (key.expiresAt() == null || key.expiresAt().isAfter(expiresAt))) {
            throw refused(Reason.WIDER_GRANT, key.keyId(), "a root key that expires at " + expiresAt
                    + " cannot give a key with management permissions a later expiry, or none");
        }
    }

    /** The first of these permissions that reaches the management plane and that the caller does not hold. */
    private String firstNotHeld(List<String> wanted) {
        return wanted.stream()
                .filter(permission -> Permissions.reachManagement(List.of(permission)))
                .filter(permission -> !Permissions.grants(permissions, permission))
                .findFirst().orElse(null);
    }

    /** A null scope is unlimited: only an unscoped caller's own scope contains it. */
    private boolean scopeWithinOwn(KeyScope other) {
        return scope == null || (other != null && other.within(scope));
    }

    private AuthorityException refused(Reason reason, String targetKeyId, String message) {
        return new AuthorityException(reason, keyId, targetKeyId, message);
    }
}
