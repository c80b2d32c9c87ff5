package com.spendsync.platform.auth;

/** No credential, or one that is not a working root key: 401. The message never repeats the credential. */
public class AuthenticationFailedException extends RuntimeException {
    public AuthenticationFailedException(String message) {
        super(message);
    }
}
