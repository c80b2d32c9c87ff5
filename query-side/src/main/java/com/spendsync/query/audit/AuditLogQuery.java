package com.spendsync.query.audit;

import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.QueryParameters;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The filters of an audit listing or export as the reader gave them, every one optional. They are bound as text and
 * checked here, so that each one at fault is named in the 400 problem.
 */
record AuditLogQuery(String userId, String actor, String eventType, String severity, String resourceType,
                     String resourceId, String from, String to) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final String ID_RULE = "must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -";
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[a-z0-9_]{1,64}");

    /** The filters, checked; every problem found is added to {@code problems}, and then the result is meaningless. */
    AuditFilter validate(List<FieldProblem> problems) {
        check(problems, "userId", userId, ID, ID_RULE);
        check(problems, "actor", actor, ID, ID_RULE);
        check(problems, "resourceId", resourceId, ID, ID_RULE);
        check(problems, "eventType", eventType, EVENT_TYPE, "must be 1 to 64 letters or digits, such as ApiKeyRevoked");
        check(problems, "resourceType", resourceType, RESOURCE_TYPE,
                "must be 1 to 64 characters of a-z 0-9 _, such as api_key");
        AuditSeverity wantedSeverity = severity == null ? null : Arrays.stream(AuditSeverity.values())
                .filter(known -> known.name().equals(severity)).findFirst().orElse(null);
        if (severity != null && wantedSeverity == null) {
            problems.add(new FieldProblem("severity", "must be one of " + Arrays.stream(AuditSeverity.values())
                    .map(Enum::name).collect(Collectors.joining(", "))));
        }
        Instant since = QueryParameters.instant("from", from, problems);
        Instant until = QueryParameters.instant("to", to, problems);
        if (since != null && until != null && since.isAfter(until)) {
            problems.add(new FieldProblem("from", "must not be after to"));
        }
        return new AuditFilter(userId, actor, eventType, wantedSeverity, resourceType, resourceId, since, until);
    }

    /** The filters the reader gave, by name, as the audit trail records a read. */
    Map<String, String> given() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("userId", userId);
        given.put("actor", actor);
        given.put("eventType", eventType);
        given.put("severity", severity);
        given.put("resourceType", resourceType);
        given.put("resourceId", resourceId);
        given.put("from", from);
        given.put("to", to);
        given.values().removeIf(value -> value == null);
        return given;
    }

    private static void check(List<FieldProblem> problems, String field, String value, Pattern rule, String message) {
        if (value != null && !rule.matcher(value).matches()) {
            problems.add(new FieldProblem(field, message));
        }
    }

}
