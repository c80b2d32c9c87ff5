package com.spendsync.command.apikey;

import com.spendsync.platform.problem.StateConflictException;

/** The key's state forbids the change: a revoked or expired key is final. */
public class KeyStateConflictException extends StateConflictException {
    public KeyStateConflictException(String message) {
        super(message);
    }
}
