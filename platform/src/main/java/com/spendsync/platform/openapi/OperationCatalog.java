package com.spendsync.platform.openapi;

import static com.spendsync.platform.openapi.ProblemResponse.CONFLICT;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every operation of every service, by route: its id and summary, and what its handler's signature does not show.
 * An endpoint missing here is served without a summary, which fails {@code OpenApiLintTest}: add its line.
 */
public final class OperationCatalog {

    private record Entry(String operationId, String summary, Set<ProblemResponse> moreProblems) {
    }

    /** What a field means where a record's name does not say it, with an example, in every schema holding it. */
    private static final Map<String, Map.Entry<String, Object>> FIELDS = Map.of(
            "allowedSources", Map.entry("The networks the key may be verified from: up to 100 IPv4 or IPv6 addresses "
                    + "or CIDR blocks, answered in canonical form (host bits cleared, a single address as /32 or "
                    + "/128, an IPv4-mapped IPv6 address as IPv4). A verification whose source (or, without one, "
                    + "the caller's address) lies outside answers FORBIDDEN_SOURCE. Absent or null: anywhere.",
                    List.of("203.0.113.0/24", "2001:db8::/48", "10.1.2.3/32")),
            "rateLimits", Map.entry("Up to 10 named rate limits, each at most limit units of cost per windowSeconds "
                    + "(1 to 1,000,000 per 1 to 86,400 s). shared \"key\" (the default) gives the key a bucket of its "
                    + "own, shared by its secrets; \"owner\" one bucket per owner, name and definition (limit and "
                    + "windowSeconds), drawn from by every key of the owner that holds a limit so named and "
                    + "defined. A verification passes only if every limit admits it, and then each is charged; if "
                    + "any refuses, none is. rateLimit is the shorthand for the limit named default; send one or "
                    + "the other.",
                    List.of(Map.of("name", "default", "limit", 100, "windowSeconds", 1, "shared", "key"),
                            Map.of("name", "tokens", "limit", 1_000_000, "windowSeconds", 86_400, "shared", "owner"))),
            "costs", Map.entry("What this verification costs each of the key's limits, by name (0 to 1,000,000); a "
                    + "limit not named costs 1, a name the key has no limit of is ignored. cost is the shorthand "
                    + "for the limit named default; send one or the other.", Map.of("tokens", 1200)),
            "ratelimits", Map.entry("Each of the key's limits after this verification: charged if it passed, as "
                    + "it was if refused; refused marks the limits that refused it. Present when the key has "
                    + "limits and the verification reached them.",
                    List.of(Map.of("name", "default", "shared", "key", "limit", 100, "windowSeconds", 1,
                            "remaining", 99, "resetSeconds", 1, "refused", false))),
            "shared", Map.entry("Whose bucket the limit draws from: \"key\" (the key's own, the default) or "
                    + "\"owner\" (one for every key of the owner holding a limit of that name, limit and window).",
                    "owner"));

    private static final Map<String, Entry> OPERATIONS = Map.ofEntries(
            operation("POST /v1/keys", "createKey", "Create a key; its secret is returned once"),
            operation("GET /v1/keys", "listKeys", "List keys, a page at a time"),
            operation("GET /v1/keys/{keyId}", "getKey", "Read a key"),
            operation("PATCH /v1/keys/{keyId}", "updateKey",
                    "Change a key's permissions, name, metadata, rate limits, networks or expiry", CONFLICT),
            operation("POST /v1/keys/{keyId}/rotate", "rotateKey",
                    "Rotate a key's secret; the previous one works for a grace period", CONFLICT),
            operation("POST /v1/keys/{keyId}/revoke", "revokeKey", "Revoke a key, for good", CONFLICT),
            operation("GET /v1/keys/{keyId}/events", "listKeyEvents", "Read a key's history from the event store"),
            operation("GET /v1/keys/{keyId}/state", "getKeyStateAt", "Read a key as it stood at an instant"),
            operation("POST /v1/keys/verify", "verifyKey", "Verify a key, its permissions and its rate limits"),
            operation("GET /v1/audit-logs", "listAuditLogs", "Search the audit trail, a page at a time"),
            operation("GET /v1/audit-logs/export", "exportAuditLogs", "Export matching audit entries as ndjson or csv"),
            operation("GET /v1/audit-logs/integrity", "checkAuditIntegrity",
                    "Prove the stored trail, or a sealed period of it, unaltered against the signed seals", CONFLICT),
            operation("GET /v1/audit-logs/integrity/events", "exportStoredEvents",
                    "Export every stored event as stored, in chain order, for the offline verifier"),
            operation("GET /v1/audit-logs/integrity/public-key", "getAuditPublicKey",
                    "The Ed25519 public key the seals are signed with (PEM)"),
            operation("GET /v1/audit-logs/seals", "exportAuditSeals", "Export the signed seals as ndjson"),
            operation("GET /v1/alerts", "listAlerts", "List alerts, the most recently seen first"),
            operation("GET /v1/admin/projections", "listProjections", "Show each projection's progress"),
            operation("POST /v1/admin/projections/{name}/replay", "replayProjection",
                    "Rebuild a projection from the event store", CONFLICT),
            operation("GET /v1/admin/projections/reconciliation", "checkViews",
                    "List the keys whose views lag behind the event store"),
            operation("POST /v1/admin/projections/reconciliation", "repairViews",
                    "Bring every lagging key view up to date"));

    /** The tags, each the first segment of its paths after the version. */
    private static final Map<String, String> TAGS = Map.of(
            "keys", "Create, read, verify, rotate, update and revoke API keys",
            "audit-logs", "Search and export the audit trail",
            "alerts", "The alerts raised from the event stream",
            "admin", "Rebuild and check the views");

    /** Routes that answer 201 Created through a {@code ResponseEntity}, which springdoc reads as 200. */
    private static final Set<String> CREATED = Set.of("POST /v1/keys");

    private OperationCatalog() {
    }

    /** The routes listed, such as {@code POST /v1/keys}: the all-in-one process serves exactly these. */
    public static Set<String> routes() {
        return OPERATIONS.keySet();
    }

    private static Map.Entry<String, Entry> operation(String route, String operationId, String summary,
                                                      ProblemResponse... moreProblems) {
        Set<ProblemResponse> more = EnumSet.noneOf(ProblemResponse.class);
        more.addAll(List.of(moreProblems));
        return Map.entry(route, new Entry(operationId, summary, more));
    }

    /** Names, tags and completes every operation of the document. */
    static void describe(OpenAPI openApi) {
        Set<String> tags = new TreeSet<>();
        openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String route = method + " " + path;
            Entry entry = OPERATIONS.get(route);
            if (entry != null) {
                operation.operationId(entry.operationId()).summary(entry.summary());
            }
            tags.add(tagOf(path));
            operation.setTags(List.of(tagOf(path)));
            ApiResponse ok = operation.getResponses().get("200");
            if (CREATED.contains(route) && ok != null) {
                operation.getResponses().remove("200");
                operation.getResponses().addApiResponse("201", ok.description("Created"));
            }
            ProblemResponse.addTo(operation, entry == null ? Set.of() : entry.moreProblems());
        }));
        openApi.setTags(tags.stream().map(tag -> new Tag().name(tag).description(TAGS.get(tag))).toList());
        describeFields(openApi);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void describeFields(OpenAPI openApi) {
        if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
            return;
        }
        openApi.getComponents().getSchemas().values().forEach(schema -> {
            Map<String, Schema> properties = ((Schema<?>) schema).getProperties();
            if (properties != null) {
                FIELDS.forEach((name, doc) -> {
                    Schema property = properties.get(name);
                    if (property != null) {
                        property.description(doc.getKey());
                        property.example(doc.getValue());
                    }
                });
            }
        });
    }

    /** The resource a path is under: its first segment after the version, such as keys or audit-logs. */
    private static String tagOf(String path) {
        return path.replaceFirst("^/v\\d+/", "").split("/")[0];
    }
}
