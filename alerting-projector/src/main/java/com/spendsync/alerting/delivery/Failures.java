package com.spendsync.alerting.delivery;

/** A failure, described for the outbox and the audit trail: its type and message, on one bounded line. */
final class Failures {

    private static final int MAX_LENGTH = 300;

    private Failures() {
    }

    static String describe(Throwable failure) {
        Throwable cause = failure;
        StringBuilder text = new StringBuilder(failure.getClass().getSimpleName());
        if (failure.getMessage() != null) {
            text.append(": ").append(failure.getMessage());
        }
        while (cause.getCause() != null && cause.getCause() != cause && text.length() < MAX_LENGTH) {
            cause = cause.getCause();
            text.append(" <- ").append(cause.getClass().getSimpleName());
        }
        return bounded(text.toString());
    }

    static String bounded(String text) {
        String flat = AlertMessages.plain(text);
        return flat.length() > MAX_LENGTH ? flat.substring(0, MAX_LENGTH) + "..." : flat;
    }
}
