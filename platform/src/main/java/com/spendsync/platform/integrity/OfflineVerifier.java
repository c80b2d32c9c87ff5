package com.spendsync.platform.integrity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code java -jar spendsync.jar verify-audit --events E --seals S --public-key K}: checks an export of the stored
 * events ({@code GET /v1/audit-logs/integrity/events}) against an export or copy of the seals ({@code GET
 * /v1/audit-logs/seals}, the seal file, the webhook's posts) with the public key alone, trusting nothing of the
 * database; the same checks as the online one (docs/audit-verification.md). Prints the report as JSON; exits 0 when
 * verified, 1 when not, 2 when the files cannot be read as such.
 */
public final class OfflineVerifier {

    public static final String COMMAND = "verify-audit";
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .addModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private OfflineVerifier() {
    }

    public static int run(List<String> arguments, PrintStream out, PrintStream err) {
        Map<String, Path> files = new HashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String name = arguments.get(i);
            if (!List.of("--events", "--seals", "--public-key").contains(name) || i + 1 >= arguments.size()) {
                return usage(err, "unexpected argument: " + name);
            }
            files.put(name, Path.of(arguments.get(++i)));
        }
        if (files.size() != 3) {
            return usage(err, "all of --events, --seals and --public-key are needed");
        }
        try {
            StoredChains.Report report = StoredChains.verify(
                    seals -> lines(files.get("--seals"), line -> seals.accept(SealJson.read(line))),
                    events -> lines(files.get("--events"), new ChainOrder(events)),
                    TrailIntegrity.FIELDS,
                    SigningKey.publicKeyFromPem(Files.readString(files.get("--public-key"), StandardCharsets.US_ASCII),
                            files.get("--public-key").toString()));
            out.println(JSON.writeValueAsString(IntegrityReport.of(report)));
            return report.verified() ? 0 : 1;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            err.println("verify-audit: " + e.getMessage());
            return 2;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("verify-audit: " + problem);
        err.println("usage: java -jar spendsync.jar verify-audit --events events.ndjson --seals seals.ndjson "
                + "--public-key public-key.pem");
        return 2;
    }

    private static void lines(Path file, Consumer<String> consumer) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    consumer.accept(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads each exported event and hands it on, refusing an export not in chain order (the walk needs it). */
    private static final class ChainOrder implements Consumer<String> {

        private final Consumer<Map<String, ?>> events;
        private String chain;
        private long position = Long.MIN_VALUE;
        private long line;

        ChainOrder(Consumer<Map<String, ?>> events) {
            this.events = events;
        }

        @Override
        public void accept(String text) {
            line++;
            Map<String, Object> event;
            try {
                event = JSON.readValue(text, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("events line " + line + " is not a JSON object", e);
            }
            Object eventChain = event.get(EventChain.CHAIN);
            if (eventChain != null) {
                long eventPosition = event.get(EventChain.POSITION) instanceof Number number ? number.longValue() : -1;
                int order = chain == null ? 1 : eventChain.toString().compareTo(chain);
                if (order < 0 || order == 0 && eventPosition < position) {
                    throw new IllegalArgumentException("events line " + line + " is out of chain order (by "
                            + EventChain.CHAIN + ", then " + EventChain.POSITION + ")");
                }
                chain = eventChain.toString();
                position = eventPosition;
            } else if (chain != null) {
                throw new IllegalArgumentException("events line " + line + " has no chain after chained events");
            }
            events.accept(event);
        }
    }
}
