package com.spendsync.query.integrity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.integrity.IntegrityReport;
import com.spendsync.platform.integrity.SealJson;
import com.spendsync.platform.integrity.SigningKey;
import com.spendsync.platform.integrity.TrailIntegrity;
import com.spendsync.query.audit.AuditExportFormat;
import com.spendsync.query.audit.AuditReads;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The audit trail's proof (docs/architecture.md, "Tamper-evident audit trail"): the online check, the seals and
 * stored events for the offline verifier, and the public key seals are signed with. Each sees every owner's events,
 * so each needs an unscoped live root key; each read is itself recorded in the trail.
 */
@RestController
@RequestMapping("/v1/audit-logs")
class IntegrityController {

    static final MediaType PEM = new MediaType("application", "x-pem-file", StandardCharsets.US_ASCII);

    private final TrailIntegrity trail;
    private final SigningKey signingKey;
    private final AuditReads reads;
    private final ObjectMapper objectMapper;

    IntegrityController(TrailIntegrity trail, SigningKey signingKey, AuditReads reads, ObjectMapper objectMapper) {
        this.trail = trail;
        this.signingKey = signingKey;
        this.reads = reads;
        this.objectMapper = objectMapper;
    }

    @GetMapping("/integrity")
    @RequiresPermission(value = "audit:read", installationWide = true)
    IntegrityReport check(Caller caller) {
        recordRead("integrity", caller);
        return IntegrityReport.of(trail.verify());
    }

    @GetMapping("/integrity/public-key")
    @RequiresPermission(value = "audit:read", installationWide = true)
    ResponseEntity<String> publicKey() {
        return ResponseEntity.ok().contentType(PEM).body(signingKey.publicKeyPem());
    }

    @GetMapping("/seals")
    @RequiresPermission(value = "audit:read", installationWide = true)
    ResponseEntity<StreamingResponseBody> seals(Caller caller) {
        recordRead("seals", caller);
        return ndjson("audit-seals.ndjson", writer -> trail.eachSeal(seal -> line(writer, SealJson.write(seal))));
    }

    /**
     * Every stored event as stored, with its chain fields, in chain order: what the offline verifier checks. Stored
     * bytes are unmasked (the audit view masks personal fields and drops secrets' hashes), so this takes
     * {@code admin:read}, not {@code audit:read}.
     */
    @GetMapping("/integrity/events")
    @RequiresPermission("admin:read")
    ResponseEntity<StreamingResponseBody> storedEvents(Caller caller) {
        recordRead("stored-events", caller);
        return ndjson("audit-events.ndjson", writer -> trail.eachEventInChainOrder(document -> {
            Map<String, Object> stored = new LinkedHashMap<>(document);
            stored.remove("_id");
            try {
                line(writer, objectMapper.writeValueAsString(stored));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    private interface Lines {
        void write(Writer writer);
    }

    private static ResponseEntity<StreamingResponseBody> ndjson(String fileName, Lines lines) {
        return ResponseEntity.ok().contentType(AuditExportFormat.NDJSON.mediaType())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString())
                .body(out -> {
                    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                    lines.write(writer);
                    writer.flush();
                });
    }

    private static void line(Writer writer, String json) {
        try {
            writer.write(json);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void recordRead(String what, Caller caller) {
        reads.record(Map.of(), what, caller);
    }
}
