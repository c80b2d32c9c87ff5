package com.spendsync.alerting.rules;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.Permissions;

/**
 * The privilege-change rule: a key given power over the management plane. {@code *} reaches it too, so a grant of
 * {@code *} is caught by the same test.
 */
final class PrivilegeChange {

    static final String RULE = "privilege-change";

    private PrivilegeChange() {
    }

    /** A root key was created. */
    static boolean matches(ApiKeyCreatedEvent created) {
        return Permissions.reachManagement(created.permissions());
    }

    /** A key's permissions changed to ones that reach the management plane. */
    static boolean matches(ApiKeyUpdatedEvent updated) {
        return updated.changedFields().contains("permissions") && updated.permissions() != null
                && Permissions.reachManagement(updated.permissions());
    }
}
