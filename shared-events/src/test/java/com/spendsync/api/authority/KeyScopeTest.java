package com.spendsync.api.authority;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyScopeTest {

    @ParameterizedTest(name = "scope {0} covers {1}: {2}")
    @CsvSource({
            "acme,          acme,        true",
            "acme,          acme-eu,     false",
            "acme,          acm,         false",
            "acme*,         acme,        true",
            "acme*,         acme-eu,     true",
            "acme*,         acm,         false",
            "acme*,         xacme,       false",
            "acme-eu*,      acme-us,     false",
            "globex acme*,  acme-eu,     true",
            // an ownerId is taken as it is: a star in it is no pattern
            "acme,          acme*,       false",
    })
    void coversOwnersItNamesOrThatStartWithAPrefixEntry(String owners, String ownerId, boolean covered) {
        assertThat(new KeyScope(List.of(owners.split(" "))).covers(ownerId)).isEqualTo(covered);
    }

    @ParameterizedTest(name = "{0} within {1}: {2}")
    @CsvSource({
            "acme,             acme,           true",
            "acme,             acme*,          true",
            "acme-eu*,         acme*,          true",
            "acme-eu acme-us,  acme*,          true",
            "acme*,            acme*,          true",
            "acme*,            acme,           false",
            "acme*,            acme-eu*,       false",
            "a*,               acme*,          false",
            "acme globex,      acme*,          false",
            "globex,           acme* globex,   true",
    })
    void isWithinAnotherScopeWhenEveryEntryIsCoveredByOneOfIts(String inner, String outer, boolean within) {
        assertThat(new KeyScope(List.of(inner.split(" "))).within(new KeyScope(List.of(outer.split(" ")))))
                .isEqualTo(within);
    }

    @ParameterizedTest
    @CsvSource({"acme", "acme*"})
    void isWithinNoScopeAtAll(String owners) {
        assertThat(KeyScope.of(owners).within(null)).isTrue();
    }
}
