package com.spendsync.query.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.api.audit.AuditLogReadEvent;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.integrity.EventChain;
import com.spendsync.platform.integrity.TrailIntegrity;
import com.spendsync.platform.paging.Cursors;
import com.spendsync.platform.paging.PageLimits;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Reads of the audit view: a page at a time, or all of it as a streamed file, of the entries the reader may see (a
 * scoped root key: its owners' keys and its own actions). Every read that passes its checks is itself recorded in
 * the audit trail, as an {@link AuditLogReadEvent} naming the reader's key as its actor.
 */
@RestController
@RequestMapping("/v1/audit-logs")
class AuditLogController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    private static final String CURSOR_KIND = "audit-logs";
    private static final int LINK_BATCH = 200;

    private final AuditLogs logs;
    private final AuditReads reads;
    private final ObjectMapper objectMapper;
    private final TrailIntegrity trail;

    AuditLogController(AuditLogs logs, AuditReads reads, ObjectMapper objectMapper, TrailIntegrity trail) {
        this.logs = logs;
        this.trail = trail;
        this.reads = reads;
        this.objectMapper = objectMapper;
    }

    record AuditLogPage(List<AuditEntry> items, String nextCursor) {
    }

    @GetMapping
    @RequiresPermission("audit:read")
    AuditLogPage list(@ParameterObject AuditLogQuery query, @RequestParam(required = false) Integer limit,
                      @RequestParam(required = false) String cursor, Caller caller) {
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        List<FieldProblem> problems = new ArrayList<>();
        AuditFilter filter = query.validate(problems);
        PageLimits.check(pageSize, MAX_LIMIT, problems);
        requireNone(problems);
        AuditLogs.Position after = positionIn(cursor);
        recordRead(query, null, caller);
        List<AuditEntry> found = logs.page(filter, caller.authority(), after, pageSize + 1);
        List<AuditEntry> items = found.stream().limit(pageSize).toList();
        return new AuditLogPage(items, found.size() > pageSize ? cursorAt(items.get(items.size() - 1)) : null);
    }

    @GetMapping("/export")
    @RequiresPermission("audit:read")
    ResponseEntity<StreamingResponseBody> export(@ParameterObject AuditLogQuery query,
                                                 @RequestParam(required = false) String format, Caller caller) {
        List<FieldProblem> problems = new ArrayList<>();
        AuditFilter filter = query.validate(problems);
        AuditExportFormat exportFormat = AuditExportFormat.named(format);
        if (exportFormat == null) {
            problems.add(new FieldProblem("format", "must be ndjson or csv"));
        }
        requireNone(problems);
        recordRead(query, exportFormat.label(), caller);
        return ResponseEntity.ok()
                .contentType(exportFormat.mediaType())
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(exportFormat.fileName()).build().toString())
                .body(out -> writeExport(out, filter, caller, exportFormat));
    }

    /** Streams the entries from a database cursor as they come, so an export of any size holds one batch at a time. */
    private void writeExport(OutputStream out, AuditFilter filter, Caller caller, AuditExportFormat format)
            throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        format.writeHeader(writer);
        try (Stream<AuditEntry> entries = logs.stream(filter, caller.authority())) {
            List<AuditEntry> batch = new ArrayList<>(LINK_BATCH);
            for (Iterator<AuditEntry> next = entries.iterator(); next.hasNext(); ) {
                batch.add(next.next());
                if (batch.size() == LINK_BATCH || !next.hasNext()) {
                    writeBatch(writer, batch, format);
                    batch.clear();
                }
            }
        }
        writer.flush();
    }

    /**
     * NDJSON entries also carry the stored event's place on its chain and its hash, which the offline verifier proves
     * from the stored-events export; CSV keeps the listing's columns.
     */
    private void writeBatch(Writer writer, List<AuditEntry> batch, AuditExportFormat format) throws IOException {
        Map<String, TrailIntegrity.Link> links = format != AuditExportFormat.NDJSON ? Map.of()
                : trail.linksOf(batch.stream().map(entry -> entry.sequence() == null
                        ? new TrailIntegrity.StoredEvent(entry.eventId(), 0)
                        : new TrailIntegrity.StoredEvent(entry.resourceId(), entry.sequence())).toList());
        for (AuditEntry entry : batch) {
            ObjectNode json = objectMapper.valueToTree(entry);
            TrailIntegrity.Link link = links.get(entry.eventId());
            if (link != null) {
                json.put(EventChain.CHAIN, link.chain()).put(EventChain.POSITION, link.position())
                        .put(EventChain.HASH, link.hash());
            }
            format.writeEntry(writer, json);
        }
    }

    private void recordRead(AuditLogQuery query, String format, Caller caller) {
        reads.record(query.given(), format, caller);
    }

    private static AuditLogs.Position positionIn(String cursor) {
        List<String> position = Cursors.decode(cursor, CURSOR_KIND, 2);
        if (position == null) {
            return null;
        }
        try {
            return new AuditLogs.Position(Instant.ofEpochMilli(Long.parseLong(position.get(0))), position.get(1));
        } catch (NumberFormatException e) {
            throw Cursors.notIssuedHere();
        }
    }

    private static String cursorAt(AuditEntry last) {
        return Cursors.encode(CURSOR_KIND, Long.toString(last.timestamp().toEpochMilli()), last.eventId());
    }

    private static void requireNone(List<FieldProblem> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }
}
