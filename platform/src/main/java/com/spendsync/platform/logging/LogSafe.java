package com.spendsync.platform.logging;

/**
 * Text a client chose (a source, a key's name, a path), made safe for a log line: whoever picks it must not be able to
 * end the line and write one of their own. Every value a caller sent goes through {@link #escape} before it is
 * logged.
 */
public final class LogSafe {

    private LogSafe() {
    }

    /**
     * The text with CR, LF, tab, every other ISO control character (NEL included) and the Unicode line and paragraph
     * separators written as {@code \r}, {@code \n}, {@code \t} or {@code \}{@code uXXXX}, and backslashes doubled, so
     * the logged text reads back unambiguously. Text with none of them is returned as it is.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        if (text.chars().noneMatch(c -> c == '\\' || breaksLine(c))) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (breaksLine(c)) {
                        escaped.append(String.format("\\u%04X", c));
                    } else {
                        escaped.append((char) c);
                    }
                }
            }
        });
        return escaped.toString();
    }

    private static boolean breaksLine(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
