package com.spendsync.query.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.MediaType;

/**
 * The file formats of an audit export. Both write each entry as the listing shows it: NDJSON exactly, one JSON object
 * per line; CSV (RFC 4180) one row per entry under a header row, with the metadata as a JSON string, and a cell a
 * spreadsheet would run as a formula prefixed with {@code '}: a source is whatever the gateway passed.
 */
public enum AuditExportFormat {

    NDJSON("ndjson", new MediaType("application", "x-ndjson", StandardCharsets.UTF_8)) {
        @Override
        void writeEntry(Writer out, JsonNode entry) throws IOException {
            out.write(entry.toString());
            out.write('\n');
        }
    },

    CSV("csv", new MediaType("text", "csv", StandardCharsets.UTF_8)) {
        @Override
        void writeHeader(Writer out) throws IOException {
            writeRow(out, COLUMNS);
        }

        @Override
        void writeEntry(Writer out, JsonNode entry) throws IOException {
            List<String> cells = new ArrayList<>(COLUMNS.size());
            for (String column : COLUMNS) {
                JsonNode value = entry.path(column);
                cells.add(value.isNull() || value.isMissingNode() ? "" : inert(value.isValueNode()
                        ? value.asText() : value.toString()));
            }
            writeRow(out, cells);
        }
    };

    /** The listing's item fields, in its order. */
    static final List<String> COLUMNS = List.of("eventId", "eventType", "severity", "userId", "actor",
            "resourceType", "resourceId", "timestamp", "metadata", "service", "environment");

    private final String label;
    private final MediaType mediaType;

    AuditExportFormat(String label, MediaType mediaType) {
        this.label = label;
        this.mediaType = mediaType;
    }

    /** The format of this name, or null for a name no format has. */
    static AuditExportFormat named(String label) {
        return Arrays.stream(values()).filter(format -> format.label.equals(label)).findFirst().orElse(null);
    }

    String label() {
        return label;
    }

    public MediaType mediaType() {
        return mediaType;
    }

    String fileName() {
        return "audit-logs." + label;
    }

    void writeHeader(Writer out) throws IOException {
    }

    /** Writes one entry, given as the JSON the listing shows for it. */
    abstract void writeEntry(Writer out, JsonNode entry) throws IOException;

    /** OWASP's CSV injection rule: a cell starting with one of these is read as a formula by spreadsheets. */
    private static String inert(String cell) {
        return !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    }

    /** A field holding a comma, a quote or a line break is quoted, and its quotes doubled. */
    private static void writeRow(Writer out, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            String cell = cells.get(i);
            boolean quoted = cell.chars().anyMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n');
            out.write(quoted ? '"' + cell.replace("\"", "\"\"") + '"' : cell);
        }
        out.write("\r\n");
    }
}
