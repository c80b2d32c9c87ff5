package com.spendsync.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogSafeTest {

    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("line feed", "a\nFAKE", "a\\nFAKE"),
                Arguments.of("carriage return", "a\rFAKE", "a\\rFAKE"),
                Arguments.of("both", "a\r\nFAKE", "a\\r\\nFAKE"),
                Arguments.of("tab", "a\tb", "a\\tb"),
                Arguments.of("nul", "a\u0000b", "a\\u0000b"),
                Arguments.of("terminal escape", "a\u001B[31mb", "a\\u001B[31mb"),
                Arguments.of("delete", "a\u007Fb", "a\\u007Fb"),
                Arguments.of("next line", "a\u0085FAKE", "a\\u0085FAKE"),
                Arguments.of("line separator", "a\u2028FAKE", "a\\u2028FAKE"),
                Arguments.of("paragraph separator", "a\u2029FAKE", "a\\u2029FAKE"),
                Arguments.of("backslash", "a\\nb", "a\\\\nb"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void aCharacterThatCouldEndALineIsWrittenAsAnEscape(String name, String text, String logged) {
        assertThat(LogSafe.escape(text)).isEqualTo(logged);
    }

    @Test
    void printableTextIsLoggedAsItIs() {
        String text = "203.0.113.9 é ü 鍵 🔑 <!channel> `code` \"quoted\"";

        assertThat(LogSafe.escape(text)).isSameAs(text);
    }

    @Test
    void nullIsLoggedAsNull() {
        assertThat(LogSafe.escape(null)).isEqualTo("null");
    }
}
