package com.spendsync.query.verify;

import java.util.List;

/** {@code key} is the presented secret: parsed and hashed at once, never stored or logged. */
record VerifyRequest(String key, List<String> permissions, Integer cost, String source) {
}
