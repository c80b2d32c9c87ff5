package com.spendsync.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    private final ClientAddresses behindProxies = new ClientAddresses("127.0.0.1, 10.0.0.0/8, fd00::/8");

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        ClientAddresses direct = new ClientAddresses("");
        assertThat(direct.of("127.0.0.1", List.of("203.0.113.9"))).isEqualTo("127.0.0.1");
    }

    @Test
    void aTrustedProxyNamesTheClient() {
        assertThat(behindProxies.of("127.0.0.1", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
        assertThat(behindProxies.of("127.0.0.1", List.of())).as("no header").isEqualTo("127.0.0.1");
    }

    @Test
    void theRightMostHopThatIsNoTrustedProxyIsTheClientWhateverTheClientPrependedItself() {
        assertThat(behindProxies.of("127.0.0.1", List.of("6.6.6.6, 203.0.113.9, 10.1.1.1")))
                .isEqualTo("203.0.113.9");
        assertThat(behindProxies.of("127.0.0.1", List.of("6.6.6.6", "203.0.113.9,10.1.1.1")))
                .as("several headers are one list").isEqualTo("203.0.113.9");
        assertThat(behindProxies.of("127.0.0.1", List.of("10.2.2.2, 10.1.1.1"))).as("proxies all the way")
                .isEqualTo("10.2.2.2");
        assertThat(behindProxies.of("fd00::5", List.of("2001:db8::1"))).isEqualTo("2001:db8::1");
    }

    @Test
    void aHopWithItsPortIsItsAddressAndALongHeaderIsReadFromTheRightOnly() {
        assertThat(behindProxies.of("127.0.0.1", List.of("203.0.113.9:4711"))).isEqualTo("203.0.113.9");
        assertThat(behindProxies.of("127.0.0.1", List.of("[2001:db8::1]:443"))).isEqualTo("2001:db8::1");
        List<String> many = new ArrayList<>(List.of("6.6.6.6"));
        for (int i = 0; i < 1000; i++) {
            many.add("10.0.0." + (i % 250));
        }
        assertThat(behindProxies.of("127.0.0.1", many)).as("the 20th hop from the right, all proxies")
                .startsWith("10.0.0.");
    }

    @Test
    void aHeaderFromAnyoneElseIsIgnored() {
        assertThat(behindProxies.of("198.51.100.1", List.of("203.0.113.9"))).isEqualTo("198.51.100.1");
    }

    @Test
    void aSettingThatIsNoAddressStopsTheStart() {
        assertThatThrownBy(() -> new ClientAddresses("127.0.0.1, nginx.internal"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nginx.internal");
    }
}
