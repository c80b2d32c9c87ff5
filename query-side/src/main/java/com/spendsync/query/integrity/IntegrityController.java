package com.spendsync.query.integrity;

import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.problem.QueryParameters;
import com.spendsync.platform.integrity.IntegrityReport;
import com.spendsync.platform.integrity.SigningKey;
import com.spendsync.platform.integrity.TrailIntegrity;
import com.spendsync.query.audit.AuditExportFormat;
import com.spendsync.query.audit.AuditReads;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
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

    IntegrityController(TrailIntegrity trail, SigningKey signingKey, AuditReads reads) {
        this.trail = trail;
        this.signingKey = signingKey;
        this.reads = reads;
    }

    /** @param from the start of the sealed period to check, @param to its end; the whole trail without either */
    @GetMapping("/integrity")
    @RequiresPermission(value = "audit:read", installationWide = true)
    IntegrityReport check(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
                          Caller caller) {
        List<FieldProblem> problems = new ArrayList<>();
        Instant since = QueryParameters.instant("from", from, problems);
        Instant until = QueryParameters.instant("to", to, problems);
        if (since != null && until != null && !since.isBefore(until)) {
            problems.add(new FieldProblem("from", "must be before to"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        Map<String, String> given = new LinkedHashMap<>();
        given.put("from", from);
        given.put("to", to);
        given.values().removeIf(Objects::isNull);
        reads.record(given, "integrity", caller);
        return IntegrityReport.of(trail.verify(new TrailIntegrity.Period(since, until)));
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
        return ndjson("audit-seals.ndjson", trail::exportSeals);
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
        return ndjson("audit-events.ndjson", trail::exportEvents);
    }

    private static ResponseEntity<StreamingResponseBody> ndjson(String fileName, Consumer<Writer> lines) {
        return ResponseEntity.ok().contentType(AuditExportFormat.NDJSON.mediaType())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString())
                .body(out -> {
                    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                    lines.accept(writer);
                    writer.flush();
                });
    }

    private void recordRead(String what, Caller caller) {
        reads.record(Map.of(), what, caller);
    }
}
