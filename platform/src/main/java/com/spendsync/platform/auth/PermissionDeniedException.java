package com.spendsync.platform.auth;

/** A working root key that lacks the permission: 403. */
public class PermissionDeniedException extends RuntimeException {
    public PermissionDeniedException(String message) {
        super(message);
    }
}
