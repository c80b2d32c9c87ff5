package com.spendsync.alerting.rules;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;

/**
 * The privilege-change rule: power over the management plane given, moved or fought over. It matches a root key
 * created, a key granted management permissions, a root key rotated (its new secret holds that power), revoked, or
 * given another scope or expiry, and (as {@code privilege-change:<keyId>:refused}) a request refused because it
 * tried to act on a key stronger than the caller. {@code *}
 * reaches the management plane too, so a grant of {@code *} is caught by the same test.
 */
final class PrivilegeChange {

    static final String RULE = "privilege-change";

    private PrivilegeChange() {
    }

    /** A root key was created. */
    static boolean matches(ApiKeyCreatedEvent created) {
        return Permissions.reachManagement(created.permissions());
    }

    /** A key's permissions changed to ones that reach the management plane, or a root key's scope or expiry. */
    static boolean matches(ApiKeyUpdatedEvent updated) {
        boolean rootKey = updated.permissions() != null && Permissions.reachManagement(updated.permissions());
        return rootKey && (updated.changedFields().contains("permissions")
                || updated.changedFields().contains("scope") || updated.changedFields().contains("expiresAt"));
    }

    /** The subject of the alert about refused attempts on a key: apart from the alert about the key's changes. */
    static String refusedSubject(String keyId) {
        return keyId + ":refused";
    }

    /** A root key was rotated or revoked, as its state before the event tells. */
    static boolean matches(KeyState before) {
        return before.isRootKey();
    }

    /** A root key was refused for asking to act on a key that holds power it lacks. */
    static boolean matches(AccessFailuresObservedEvent failures) {
        return AccessFailures.PRIVILEGE_ESCALATION.equals(failures.kind()) && failures.keyId() != null;
    }
}
