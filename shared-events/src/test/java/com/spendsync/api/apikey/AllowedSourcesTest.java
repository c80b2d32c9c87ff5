package com.spendsync.api.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedSourcesTest {

    @ParameterizedTest
    @CsvSource({
            "203.0.113.0/24, 203.0.113.0/24",
            "203.0.113.77/24, 203.0.113.0/24",
            "10.1.2.3, 10.1.2.3/32",
            "0.0.0.0/0, 0.0.0.0/0",
            "255.255.255.255/32, 255.255.255.255/32",
            "2001:db8::/48, 2001:db8::/48",
            "2001:DB8:0:0:1::/48, 2001:db8::/48",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "::1, ::1/128",
            "::/0, ::/0",
            "::ffff:192.0.2.1, 192.0.2.1/32",
            "::ffff:192.0.2.0/120, 192.0.2.0/24",
            "fe80::1:0:0:0/64, fe80::/64",
            "64:ff9b::192.0.2.33, 64:ff9b::c000:221/128",
    })
    void entriesAreValidatedAndWrittenInOneForm(String entry, String canonical) {
        assertThat(AllowedSources.canonical(entry)).contains(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "10.1.2", "10.1.2.3.4", "256.1.1.1", "010.1.2.3",
            "10.1.2.3/33", "10.1.2.3/-1", "10.1.2.3/", "10.1.2.3/08", "2001:db8::/129", "2001:db8:::1",
            "fe80::1%eth0", "::ffff:192.0.2.1/95", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24/1", "gggg::1",
            // that InetAddress would look up, or read otherwise than it is written
            ".:", ".:1", "..::", "::ffff:010.0.0.1", "2001:00db8::", "::10.0.0.1", "1.2.3.4::", "::1.2.3.4:5"})
    void anythingElseIsRefused(String entry) {
        assertThat(AllowedSources.canonical(entry)).isEmpty();
    }

    @Test
    void aBlockAdmitsItsNetworkAndBroadcastAddressesAndNothingBeyond() {
        List<String> blocks = List.of("203.0.113.0/24");
        assertThat(AllowedSources.admits(blocks, "203.0.113.0")).isTrue();
        assertThat(AllowedSources.admits(blocks, "203.0.113.255")).isTrue();
        assertThat(AllowedSources.admits(blocks, "203.0.112.255")).isFalse();
        assertThat(AllowedSources.admits(blocks, "203.0.114.0")).isFalse();
        assertThat(AllowedSources.admits(List.of("10.1.2.3/32"), "10.1.2.3")).isTrue();
        assertThat(AllowedSources.admits(List.of("10.1.2.3/32"), "10.1.2.4")).isFalse();
    }

    @Test
    void familiesDoNotMixButAnIpv4MappedSourceIsItsIpv4Address() {
        assertThat(AllowedSources.admits(List.of("0.0.0.0/0"), "2001:db8::1")).isFalse();
        assertThat(AllowedSources.admits(List.of("::/0"), "10.0.0.1")).isFalse();
        assertThat(AllowedSources.admits(List.of("192.0.2.0/24"), "::ffff:192.0.2.9")).isTrue();
        assertThat(AllowedSources.admits(List.of("2001:db8::/48"), "2001:db8:0:ffff::1")).isTrue();
        assertThat(AllowedSources.admits(List.of("2001:db8::/48"), "2001:db9::1")).isFalse();
    }

    @Test
    void aSourceThatIsNoAddressIsAdmittedOnlyWithoutAnAllowlist() {
        assertThat(AllowedSources.admits(List.of("10.0.0.0/8"), "customer-42")).isFalse();
        assertThat(AllowedSources.admits(List.of("10.0.0.0/8"), null)).isFalse();
        assertThat(AllowedSources.admits(List.of(), "customer-42")).isTrue();
        assertThat(AllowedSources.admits(null, null)).isTrue();
    }

    @Test
    void theScriptsPrefixesAreTheBlocksBits() {
        assertThat(AllowedSources.prefixBits("0.0.0.0/0")).isEqualTo("4:");
        assertThat(AllowedSources.prefixBits("192.0.2.0/24")).isEqualTo("4:110000000000000000000010");
        assertThat(AllowedSources.addressBits("192.0.2.1")).contains("4:11000000000000000000001000000001");
        assertThat(AllowedSources.addressBits("::1").orElseThrow()).hasSize(130).endsWith("01");
        assertThat(AllowedSources.scriptArgument("*")).as("a source a client sends is checked").isEmpty();
        assertThat(AllowedSources.scriptArgument(null)).as("a look that is not a use").isEqualTo("*");
    }
}
