package com.spendsync.platform.verification;

public enum VerificationCode {
    VALID, MALFORMED, NOT_FOUND, REVOKED, EXPIRED, RATE_LIMITED, INSUFFICIENT_PERMISSIONS, FORBIDDEN_SOURCE
}
