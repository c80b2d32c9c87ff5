package com.spendsync.platform.problem;

/** The resource's current state forbids the change asked for: 409. */
public class StateConflictException extends RuntimeException {
    public StateConflictException(String message) {
        super(message);
    }
}
