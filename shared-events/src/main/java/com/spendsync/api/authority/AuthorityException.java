package com.spendsync.api.authority;

/**
 * A caller refused by the authority rule. {@link Reason#OUTSIDE_SCOPE} answers as if the key did not exist; every
 * other reason is a 403 whose message names it. The message never holds a secret.
 */
public class AuthorityException extends RuntimeException {

    /** Why the caller was refused. */
    public enum Reason {
        /** The caller's key lacks the operation's permission. */
        MISSING_PERMISSION,
        /** An installation-wide operation asked by a scoped or test root key. */
        INSTALLATION_WIDE,
        /** The target key is outside the caller's scope: answered as not found. */
        OUTSIDE_SCOPE,
        /** A new key for an owner outside the caller's scope. */
        OWNER_OUTSIDE_SCOPE,
        /** A test root key asked to act on a live key. */
        ENVIRONMENT,
        /** The target holds management power (a permission or a wider scope) that the caller lacks. */
        STRONGER_KEY,
        /** A grant of management power (a permission or a scope) beyond what the caller holds. */
        WIDER_GRANT
    }

    private final Reason reason;
    private final String callerKeyId;
    private final String targetKeyId;

    public AuthorityException(Reason reason, String callerKeyId, String targetKeyId, String message) {
        super(message);
        this.reason = reason;
        this.callerKeyId = callerKeyId;
        this.targetKeyId = targetKeyId;
    }

    public Reason reason() {
        return reason;
    }

    /** The root key that was refused; null for SpendSync itself. */
    public String callerKeyId() {
        return callerKeyId;
    }

    /** The key it wanted to act on, if any. */
    public String targetKeyId() {
        return targetKeyId;
    }
}
