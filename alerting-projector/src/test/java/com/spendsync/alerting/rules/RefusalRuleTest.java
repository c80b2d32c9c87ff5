package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import jakarta.validation.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RefusalRuleTest {

    private static final List<RefusalRule> RULES = RefusalRule.of(defaults());

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "MALFORMED_KEY, none, brute-force, 203.0.113.9",
            "UNKNOWN_KEY, none, brute-force, 203.0.113.9",
            "RATE_LIMITED, key_1, abuse, key_1",
            "REVOKED_KEY, key_1, revoked-key-use, key_1",
            "EXPIRED_KEY, key_1, revoked-key-use, key_1",
            "UNAUTHENTICATED, none, none, none",
            "FORBIDDEN, key_root, none, none"})
    void eachKindOfRefusalIsCountedByOneRuleAboutItsSourceOrItsKey(String kind, String keyId, String rule,
                                                                  String subject) {
        AccessFailuresObservedEvent failures = refused(kind, keyId);

        Map<String, String> counting = RULES.stream().filter(candidate -> candidate.counts(failures))
                .collect(Collectors.toMap(RefusalRule::name, candidate -> candidate.subjectOf(failures)));

        assertThat(counting).isEqualTo(rule == null ? Map.of() : Map.of(rule, subject));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "brute-force | 20 unknown or malformed keys tried from 203.0.113.9 within PT5M",
            "abuse | 20 verifications refused as rate limited within PT5M",
            "revoked-key-use | 20 verifications presented a revoked or expired secret of the key within PT5M"})
    void theDetailSaysHowManyWithinWhichWindow(String rule, String detail) {
        RefusalRule found = RULES.stream().filter(candidate -> candidate.name().equals(rule)).findFirst()
                .orElseThrow();

        assertThat(found.describe(20, refused(AccessFailures.RATE_LIMITED, "key_1"))).isEqualTo(detail);
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
