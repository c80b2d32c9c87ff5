package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import jakarta.validation.Validation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RefusalRuleTest {

    private static final List<RefusalRule> RULES = RefusalRule.of(defaults());

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "MALFORMED_KEY, none, brute-force:203.0.113.9 brute-force:*",
            "UNKNOWN_KEY, none, brute-force:203.0.113.9 brute-force:*",
            "UNAUTHENTICATED, none, brute-force:203.0.113.9 brute-force:*",
            "FORBIDDEN, key_root, brute-force:203.0.113.9 brute-force:*",
            "RATE_LIMITED, key_1, abuse:key_1",
            "REVOKED_KEY, key_1, revoked-key-use:key_1",
            "EXPIRED_KEY, key_1, revoked-key-use:key_1"})
    void eachKindOfRefusalIsCountedAboutItsSourceAndAllSourcesOrAboutItsKey(String kind, String keyId,
                                                                          String alertIds) {
        AccessFailuresObservedEvent failures = refused(kind, keyId);

        List<String> counting = RULES.stream().filter(candidate -> candidate.counts(failures))
                .map(candidate -> candidate.name() + ":" + candidate.subjectOf(failures)).toList();

        assertThat(counting).containsExactlyInAnyOrder(alertIds.split(" "));
    }

    @Test
    void bruteForceMatchesAtItsThresholdFromOneSourceAndAtTheTotalThresholdFromAllSources() {
        RefusalRule perSource = bruteForce(RefusalRule.Scope.SOURCE);
        RefusalRule allSources = bruteForce(RefusalRule.Scope.ALL_SOURCES);

        assertThat(perSource.matches(19)).isFalse();
        assertThat(perSource.matches(20)).isTrue();
        assertThat(allSources.matches(199)).isFalse();
        assertThat(allSources.matches(200)).isTrue();
        assertThat(allSources.window()).isEqualTo(perSource.window());
    }

    @Test
    void aSourceNamedLikeTheTotalIsCountedInAWindowApartFromIt() {
        AccessFailuresObservedEvent fromStar = new AccessFailuresObservedEvent(AccessFailures.UNKNOWN_KEY,
                RefusalRule.ALL_SOURCES, null, null, 3, Instant.EPOCH, Instant.EPOCH);
        RefusalRule perSource = bruteForce(RefusalRule.Scope.SOURCE);
        RefusalRule allSources = bruteForce(RefusalRule.Scope.ALL_SOURCES);

        assertThat(perSource.subjectOf(fromStar)).isEqualTo(allSources.subjectOf(fromStar));
        assertThat(perSource.windowName()).isNotEqualTo(allSources.windowName());
    }

    @Test
    void onlyTheRulesAboutAKeyNameIt() {
        AccessFailuresObservedEvent forbidden = refused(AccessFailures.FORBIDDEN, "key_root");
        AccessFailuresObservedEvent rateLimited = refused(AccessFailures.RATE_LIMITED, "key_1");

        assertThat(bruteForce(RefusalRule.Scope.SOURCE).keyIdOf(forbidden)).isNull();
        assertThat(bruteForce(RefusalRule.Scope.ALL_SOURCES).keyIdOf(forbidden)).isNull();
        assertThat(rule("abuse", RefusalRule.Scope.KEY).keyIdOf(rateLimited)).isEqualTo("key_1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "brute-force     | SOURCE      | 20 refusals (unknown or malformed keys, keys outside their networks, 401 or 403) from 203.0.113.9 "
                    + "within PT5M",
            "brute-force     | ALL_SOURCES | 20 refusals (unknown or malformed keys, keys outside their networks, 401 or 403) from all sources "
                    + "together within PT5M",
            "abuse           | KEY         | 20 verifications refused as rate limited within PT5M",
            "revoked-key-use | KEY         | 20 verifications presented a revoked or expired secret of the key "
                    + "within PT5M"})
    void theDetailSaysHowManyWithinWhichWindow(String rule, RefusalRule.Scope scope, String detail) {
        assertThat(rule(rule, scope).describe(20, refused(AccessFailures.RATE_LIMITED, "key_1"))).isEqualTo(detail);
    }

    private static RefusalRule bruteForce(RefusalRule.Scope scope) {
        return rule("brute-force", scope);
    }

    private static RefusalRule rule(String name, RefusalRule.Scope scope) {
        return RULES.stream().filter(candidate -> candidate.name().equals(name) && candidate.scope() == scope)
                .findFirst().orElseThrow();
    }

    private static AccessFailuresObservedEvent refused(String kind, String keyId) {
        return new AccessFailuresObservedEvent(kind, "203.0.113.9", keyId, null, 3, Instant.EPOCH, Instant.EPOCH);
    }

    private static AlertSettings defaults() {
        AlertSettings settings = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("spendsync.alerts", AlertSettings.class);
        assertThat(Validation.buildDefaultValidatorFactory().getValidator().validate(settings)).isEmpty();
        return settings;
    }
}
