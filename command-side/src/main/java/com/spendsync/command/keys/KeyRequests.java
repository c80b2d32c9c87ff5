package com.spendsync.command.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.api.apikey.Change;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request bodies of the key commands, as the contract names their fields. Unknown fields are refused. */
final class KeyRequests {

    private KeyRequests() {
    }

    /** A named limit; the {@code rateLimit} shorthand is one with no name (or "default"). */
    record RateLimit(String name, Integer limit, Integer windowSeconds, String shared) {
    }

    /** The owners a root key acts on: ownerIds, or prefixes ending in {@code *}. */
    record Scope(List<String> owners) {
    }

    record Create(String ownerId, String name, List<String> permissions, Scope scope, Instant expiresAt,
                  KeyEnvironment environment, RateLimit rateLimit, List<RateLimit> rateLimits,
                  List<String> allowedSources,
                  Map<String, Object> metadata) {
    }

    record Rotate(Long gracePeriodSeconds) {
    }

    record Revoke(String reason) {
    }

    /**
     * A field left out stays as it is; a field sent as null is cleared where clearing makes sense. Fields are read as
     * JSON trees because only a tree tells a field left out (null) from a field sent as null ({@code NullNode}).
     */
    record Update(JsonNode name, JsonNode permissions, JsonNode scope, JsonNode metadata, JsonNode rateLimit,
                  JsonNode rateLimits, JsonNode allowedSources, JsonNode expiresAt) {
    }

    /** An update once read: see {@link Change} for left, set and cleared. */
    record Changes(Change<String> name, Change<List<String>> permissions, Change<Scope> scope,
                   Change<Map<String, Object>> metadata, Change<RateLimit> rateLimit,
                   Change<List<RateLimit>> rateLimits, Change<List<String>> allowedSources,
                   Change<Instant> expiresAt) {
    }
}
