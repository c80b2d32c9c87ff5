package com.spendsync.query.verify;

import java.util.List;
import java.util.Map;

/**
 * {@code key} is the presented secret: parsed and hashed at once, never stored or logged. {@code costs} charges the
 * key's limits by name; {@code cost} is the shorthand for the one named default.
 */
record VerifyRequest(String key, List<String> permissions, Integer cost, Map<String, Integer> costs, String source) {
}
