package com.spendsync.platform.problem;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Reading query parameters the way every endpoint does, each problem reported against the parameter's name. */
public final class QueryParameters {

    public static final String AN_INSTANT = "an ISO-8601 UTC instant such as 2030-01-31T12:00:00Z";
    public static final String INSTANT_EXPECTED = "must be " + AN_INSTANT;

    private QueryParameters() {
    }

    /** The instant, or null when the parameter is absent or, with a problem added, not an ISO-8601 instant. */
    public static Instant instant(String name, String value, List<FieldProblem> problems) {
        if (value == null) {
            return null;
        }
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(value, Instant::from);
        } catch (DateTimeParseException e) {
            problems.add(new FieldProblem(name, INSTANT_EXPECTED));
            return null;
        }
    }
}
