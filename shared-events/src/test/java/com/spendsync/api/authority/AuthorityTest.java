package com.spendsync.api.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.spendsync.api.authority.AuthorityException.Reason;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule itself; ApiKeyTest checks it where commands meet it, KeyAuthorityTest over HTTP. */
class AuthorityTest {

    @ParameterizedTest(name = "a caller holding {0} over a key holding {1}: {2}")
    @CsvSource({
            "keys:rotate,   payments:*,    true",
            "keys:rotate,   keys:rotate,   true",
            "keys:*,        keys:rotate,   true",
            "keys:*,        keys:*,        true",
            "k*,            keys:*,        true",
            "keys:rotate,   keys:*,        false",
            "keys:*,        *,             false",
            "keys:*,        admin:replay,  false",
            "*,             *,             true",
            "keys:rotate,   k*,            false",
    })
    void aCallerHoldsEveryManagementPermissionTheTargetHolds(String held, String targetHolds, boolean allowed) {
        Authority caller = live(null, "keys:rotate", held);
        ManagedKey target = key("acme", KeyEnvironment.LIVE, null, targetHolds);

        assertThat(caller.permits(target, "keys:rotate")).isEqualTo(allowed);
    }

    @Test
    void aScopedCallerSeesOnlyItsOwnersAndRefusesOthersAsNotFound() {
        Authority caller = live(KeyScope.of("acme*"), "keys:*");

        assertThatThrownBy(() -> caller.requireOver(key("globex", KeyEnvironment.LIVE, null), "keys:read"))
                .isInstanceOfSatisfying(AuthorityException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_SCOPE))
                .hasMessage("no key has this id");
        assertThatCode(() -> caller.requireOver(key("acme-eu", KeyEnvironment.LIVE, null), "keys:read"))
                .doesNotThrowAnyException();
    }

    @Test
    void theScopeIsCheckedBeforeAnythingThatWouldTellTheKeyExists() {
        Authority caller = live(KeyScope.of("acme"), "keys:read");

        assertThatThrownBy(() -> caller.requireOver(key("globex", KeyEnvironment.LIVE, null, "*"), "keys:read"))
                .isInstanceOfSatisfying(AuthorityException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_SCOPE));
    }

    @Test
    void installationWideOperationsNeedAnUnscopedLiveKey() {
        assertThatCode(() -> live(null, "*").requirePermission("admin:replay")).doesNotThrowAnyException();
        assertThatThrownBy(() -> live(KeyScope.of("acme"), "*").requirePermission("admin:replay"))
                .isInstanceOfSatisfying(AuthorityException.class,
                        refused -> assertThat(refused.reason()).isEqualTo(Reason.INSTALLATION_WIDE));
        assertThatThrownBy(() -> new Authority("k", List.of("*"), null, KeyEnvironment.TEST)
                .requirePermission("admin:read")).isInstanceOf(AuthorityException.class);
    }

    @Test
    void aTestKeyCreatesTestKeysAndALiveKeyWhatItAsks() {
        Authority test = new Authority("k", List.of("*"), null, KeyEnvironment.TEST);

        assertThat(test.environmentOfNewKey(KeyEnvironment.LIVE)).isEqualTo(KeyEnvironment.TEST);
        assertThat(test.environmentOfNewKey(null)).isEqualTo(KeyEnvironment.TEST);
        assertThat(live(null, "*").environmentOfNewKey(null)).isEqualTo(KeyEnvironment.LIVE);
        assertThat(live(null, "*").environmentOfNewKey(KeyEnvironment.TEST)).isEqualTo(KeyEnvironment.TEST);
    }

    @Test
    void aScopedCallersRootKeysInheritItsScopeUnlessTheyNameOne() {
        Authority caller = live(KeyScope.of("acme*"), "keys:*");

        assertThat(caller.scopeOfNewKey(null, List.of("keys:verify"))).isEqualTo(KeyScope.of("acme*"));
        assertThat(caller.scopeOfNewKey(KeyScope.of("acme-eu"), List.of("keys:verify")))
                .isEqualTo(KeyScope.of("acme-eu"));
        assertThat(caller.scopeOfNewKey(null, List.of("payments:read"))).isNull();
        assertThat(live(null, "*").scopeOfNewKey(null, List.of("keys:verify"))).isNull();
    }

    private static Authority live(KeyScope scope, String... permissions) {
        return new Authority("key_caller", List.of(permissions), scope, KeyEnvironment.LIVE);
    }

    private static ManagedKey key(String ownerId, KeyEnvironment environment, KeyScope scope, String... permissions) {
        return new ManagedKey("key_target", ownerId, environment, List.of(permissions), scope);
    }
}
