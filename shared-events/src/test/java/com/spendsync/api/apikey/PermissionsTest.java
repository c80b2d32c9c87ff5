package com.spendsync.api.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionsTest {

    @ParameterizedTest(name = "{0} grants {1}: {2}")
    @CsvSource({
            "*,                payments:read,           true",
            "*,                keys:create,             true",
            "payments:read,    payments:read,           true",
            "payments:read,    payments:write,          false",
            "payments:read,    payments:readx,          false",
            "payments:*,       payments:read,           true",
            "payments:*,       payments:refunds:create, true",
            "payments:*,       payments:*,              true",
            "payments:*,       paymentsx,               false",
            "payments:*,       payments,                false",
            "payments:*,       refunds:read,            false",
            // the part before * is a plain text prefix, not a segment
            "payments*,        paymentsx,               true",
            "payments:read,    payments:*,              false",
    })
    void grantsByExactMatchOrByThePrefixBeforeATrailingStar(String held, String required, boolean granted) {
        assertThat(Permissions.grants(List.of(held), required)).isEqualTo(granted);
    }

    @Test
    void grantsWhatAnyOneHeldPermissionGrants() {
        assertThat(Permissions.grants(List.of("refunds:read", "payments:*"), "payments:read")).isTrue();
    }

    @Test
    void grantsNothingWithoutPermissions() {
        assertThat(Permissions.grants(List.of(), "payments:read")).isFalse();
    }

    @Test
    void grantsAllWhenEveryRequiredPermissionIsGranted() {
        assertThat(Permissions.grantsAll(List.of("payments:*", "refunds:read"), List.of("payments:read", "refunds:read")))
                .isTrue();
    }

    @Test
    void doesNotGrantAllWhenOneRequiredPermissionIsMissing() {
        assertThat(Permissions.grantsAll(List.of("payments:*"), List.of("payments:read", "refunds:read"))).isFalse();
    }

    @Test
    void grantsAllOfNothing() {
        assertThat(Permissions.grantsAll(List.of(), List.of())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"keys:create", "keys:verify", "audit:read", "alerts:read", "admin:replay",
            "*", "keys:*", "audit:*", "k*"})
    void reachesManagementWithAnyPermissionThatGrantsAManagementOne(String permission) {
        assertThat(Permissions.reachManagement(List.of("payments:read", permission))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"payments:read", "payments:*", "keys", "keys:list", "audit:write"})
    void doesNotReachManagementWithOtherPermissions(String permission) {
        assertThat(Permissions.reachManagement(List.of(permission))).isFalse();
    }

    @Test
    void doesNotReachManagementWithoutPermissions() {
        assertThat(Permissions.reachManagement(List.of())).isFalse();
    }
}
