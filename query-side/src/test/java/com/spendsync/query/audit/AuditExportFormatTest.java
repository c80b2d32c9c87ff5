package com.spendsync.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuditExportFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A cell a spreadsheet would read as a formula starts with a quote (OWASP CSV injection), then RFC 4180 applies. */
    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of("=1+1", "'=1+1"),
                Arguments.of("+1", "'+1"),
                Arguments.of("-1", "'-1"),
                Arguments.of("@SUM(A1)", "'@SUM(A1)"),
                Arguments.of("\tcmd", "'\tcmd"),
                Arguments.of("\rcmd", "\"'\rcmd\""),
                Arguments.of("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
                Arguments.of("-1,+1", "\"'-1,+1\""),
                Arguments.of("203.0.113.9", "203.0.113.9"),
                Arguments.of("a=b", "a=b"),
                Arguments.of("key-1", "key-1"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cells")
    void aCsvCellIsNeutralisedBeforeItIsQuoted(String resourceId, String written) throws IOException {
        StringWriter out = new StringWriter();

        AuditExportFormat.CSV.writeEntry(out, entry(resourceId));

        assertThat(out.toString()).startsWith("event-1,AccessFailuresObserved,WARNING,,system:security,access,"
                + written + ",2030-01-01T00:00:00Z,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tcmd"})
    void ndjsonKeepsTheValueExact(String resourceId) throws IOException {
        StringWriter out = new StringWriter();

        AuditExportFormat.NDJSON.writeEntry(out, entry(resourceId));

        assertThat(JSON.readTree(out.toString())).isEqualTo(entry(resourceId));
    }

    private static ObjectNode entry(String resourceId) {
        ObjectNode entry = JSON.createObjectNode().put("eventId", "event-1").put("eventType", "AccessFailuresObserved")
                .put("severity", "WARNING").putNull("userId").put("actor", "system:security")
                .put("resourceType", "access").put("resourceId", resourceId).put("timestamp", "2030-01-01T00:00:00Z");
        entry.putObject("metadata").put("source", resourceId);
        return entry.put("service", "query-side").putNull("environment");
    }
}
