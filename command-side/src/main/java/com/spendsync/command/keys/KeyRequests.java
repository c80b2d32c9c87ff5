package com.spendsync.command.keys;

import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Request bodies of the key commands, as the contract names their fields. Unknown fields are refused. */
final class KeyRequests {

    private KeyRequests() {
    }

    record RateLimit(Integer limit, Integer windowSeconds) {
    }

    record Create(String ownerId, String name, List<String> permissions, Instant expiresAt,
                  KeyEnvironment environment, RateLimit rateLimit, Map<String, Object> metadata) {
    }

    record Rotate(Long gracePeriodSeconds) {
    }

    record Revoke(String reason) {
    }

    /** A field left out stays as it is; a field sent as null is cleared where clearing makes sense. */
    record Update(Optional<String> name, Optional<List<String>> permissions, Optional<Map<String, Object>> metadata,
                  Optional<RateLimit> rateLimit, Optional<Instant> expiresAt) {
    }
}
