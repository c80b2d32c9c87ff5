package com.spendsync.platform.problem;

/** One field at fault in a request, by its JSON path ({@code rateLimit.limit}, {@code permissions[2]}). */
public record FieldProblem(String field, String message) {
}
