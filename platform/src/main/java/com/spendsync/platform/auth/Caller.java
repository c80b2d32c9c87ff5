package com.spendsync.platform.auth;

import java.util.List;

/** The root key behind a management request: its id is the actor of every event the request causes. */
public record Caller(String keyId, List<String> permissions, String source) {
}
