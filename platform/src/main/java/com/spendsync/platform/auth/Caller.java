package com.spendsync.platform.auth;

import com.spendsync.api.authority.Authority;

/**
 * The root key behind a management request: what it may do, and from where it asked. Its id is the actor of every
 * event the request causes.
 */
public record Caller(Authority authority, String source) {

    public String keyId() {
        return authority.keyId();
    }
}
