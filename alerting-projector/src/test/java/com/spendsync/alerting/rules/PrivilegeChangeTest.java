package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrivilegeChangeTest {

    @ParameterizedTest
    @CsvSource({"keys:create, true", "*, true", "keys:*, true", "payments:read, false", "payments:*, false"})
    void aCreatedKeyMatchesWhenItIsARootKey(String permission, boolean matches) {
        assertThat(PrivilegeChange.matches(created(permission))).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({"permissions, *, true", "permissions, audit:read, true", "permissions, payments:write, false",
            "name, *, false"})
    void anUpdateMatchesWhenItsNewPermissionsReachTheManagementPlane(String changed, String permission,
                                                                     boolean matches) {
        assertThat(PrivilegeChange.matches(updated(Set.of(changed), permission))).isEqualTo(matches);
    }

    private static ApiKeyCreatedEvent created(String permission) {
        return new ApiKeyCreatedEvent("key_1", null, "ss_live_abcd", null, "acme", "n", List.of(permission), null,
                null, null, Instant.EPOCH);
    }

    private static ApiKeyUpdatedEvent updated(Set<String> changedFields, String permission) {
        return new ApiKeyUpdatedEvent("key_1", null, null, "n", List.of(permission), null, null, null,
                changedFields, Instant.EPOCH);
    }
}
