package com.spendsync.platform.problem;

/** The resource's current state forbids the change asked for: 409, its problem type and title naming the conflict. */
public class StateConflictException extends RuntimeException {

    private final String kind;
    private final String title;

    /** A key's state forbids the change. */
    public StateConflictException(String message) {
        this("state-conflict", "Conflict with the key's state", message);
    }

    public StateConflictException(String kind, String title, String message) {
        super(message);
        this.kind = kind;
        this.title = title;
    }

    public String kind() {
        return kind;
    }

    public String title() {
        return title;
    }
}
