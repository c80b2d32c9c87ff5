package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
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
            "name, *, false", "scope, keys:verify, true", "scope, payments:read, false",
            "expiresAt, keys:verify, true", "expiresAt, payments:read, false"})
    void anUpdateMatchesWhenItsNewPermissionsReachTheManagementPlane(String changed, String permission,
                                                                     boolean matches) {
        assertThat(PrivilegeChange.matches(updated(Set.of(changed), permission))).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({"keys:verify, true", "*, true", "payments:read, false"})
    void aRotationOrRevocationMatchesWhenTheKeyWasARootKey(String permission, boolean matches) {
        KeyState before = KeyState.unknown("key_1").after(created(permission));

        assertThat(PrivilegeChange.matches(before)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({"PRIVILEGE_ESCALATION, true", "FORBIDDEN, false", "UNKNOWN_KEY, false"})
    void aRefusalMatchesWhenItWasAnAttemptOnAStrongerKey(String kind, boolean matches) {
        assertThat(PrivilegeChange.matches(new AccessFailuresObservedEvent(kind, "203.0.113.9", "key_1", "key_2", 1,
                Instant.EPOCH, Instant.EPOCH))).isEqualTo(matches);
    }

    private static ApiKeyCreatedEvent created(String permission) {
        return new ApiKeyCreatedEvent("key_1", null, "ss_live_abcd", null, "acme", "n", List.of(permission), null, null,
                null, null, null, Instant.EPOCH);
    }

    private static ApiKeyUpdatedEvent updated(Set<String> changedFields, String permission) {
        return new ApiKeyUpdatedEvent("key_1", null, null, "n", List.of(permission), null, null, null, null, null,
                changedFields, Instant.EPOCH);
    }
}
