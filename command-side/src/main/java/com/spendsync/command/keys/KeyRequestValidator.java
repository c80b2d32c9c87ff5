package com.spendsync.command.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.api.apikey.Change;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.problem.ProblemResponses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/** The contract's limits on key settings, checked before any command is sent, reporting every field at fault. */
@Component
class KeyRequestValidator {

    static final int MAX_OWNER_ID = 128;
    static final int MAX_NAME = 100;
    static final int MAX_PERMISSIONS = 50;
    static final int MAX_PERMISSION = 64;
    static final int MAX_METADATA_BYTES = 8 * 1024;
    static final int MAX_METADATA_DEPTH = 20;
    static final int MAX_REASON = 500;
    static final int MAX_RATE_LIMIT = RateLimits.MAX_LIMIT;
    static final int MAX_RATE_WINDOW_SECONDS = 86_400;

    private static final Pattern OWNER_ID = Pattern.compile("[A-Za-z0-9._:@-]+");
    private static final FieldProblem BOTH_LIMIT_FORMS = new FieldProblem("rateLimits",
            "send rateLimit (the one limit named default) or rateLimits, not both");
    private static final Pattern PERMISSION = Pattern.compile("[a-z0-9_.:*-]+");
    private static final Pattern SCOPE_OWNER = Pattern.compile("[A-Za-z0-9._:@-]+\\*?");

    private final ObjectMapper objectMapper;
    private final Duration maxRotationGrace;

    KeyRequestValidator(ObjectMapper objectMapper, SpendSyncProperties properties) {
        this.objectMapper = objectMapper;
        this.maxRotationGrace = properties.maxRotationGrace();
    }

    void validateCreate(KeyRequests.Create request, Instant now) {
        List<FieldProblem> problems = new ArrayList<>();
        if (request.ownerId() == null) {
            problems.add(new FieldProblem("ownerId", "is required"));
        } else if (request.ownerId().isEmpty() || request.ownerId().length() > MAX_OWNER_ID
                || !OWNER_ID.matcher(request.ownerId()).matches()) {
            problems.add(new FieldProblem("ownerId",
                    "must be 1 to " + MAX_OWNER_ID + " characters of A-Z a-z 0-9 . _ : @ -"));
        }
        checkName(request.name(), problems);
        checkPermissions(request.permissions(), problems);
        if (request.scope() != null) {
            checkScope(request.scope(), problems);
            if (request.permissions() != null && !Permissions.reachManagement(request.permissions())) {
                problems.add(new FieldProblem("scope", "only a key holding management permissions has a scope"));
            }
        }
        checkExpiresAt(request.expiresAt(), now, problems);
        checkRateLimits(request.rateLimit(), request.rateLimits(), problems);
        checkAllowedSources(request.allowedSources(), problems);
        checkMetadata(request.metadata(), problems);
        throwIfAny(problems);
    }

    /** Reads the fields an update sends, checks them, and says for each whether it is left, set or cleared. */
    KeyRequests.Changes readUpdate(KeyRequests.Update request, Instant now) {
        List<FieldProblem> problems = new ArrayList<>();
        KeyRequests.Changes changes = new KeyRequests.Changes(
                read(request.name(), "name", new TypeReference<>() { }, problems),
                read(request.permissions(), "permissions", new TypeReference<>() { }, problems),
                read(request.scope(), "scope", new TypeReference<>() { }, problems),
                read(request.metadata(), "metadata", new TypeReference<>() { }, problems),
                read(request.rateLimit(), "rateLimit", new TypeReference<>() { }, problems),
                read(request.rateLimits(), "rateLimits", new TypeReference<>() { }, problems),
                read(request.allowedSources(), "allowedSources", new TypeReference<>() { }, problems),
                read(request.expiresAt(), "expiresAt", new TypeReference<>() { }, problems));
        throwIfAny(problems);
        if (Stream.of(changes.name(), changes.permissions(), changes.scope(), changes.metadata(),
                changes.rateLimit(), changes.rateLimits(), changes.allowedSources(), changes.expiresAt())
                .allMatch(Objects::isNull)) {
            problems.add(new FieldProblem(null, "send at least one of name, permissions, scope, metadata, rateLimit, "
                    + "rateLimits, allowedSources, expiresAt"));
        }
        if (changes.name() != null) {
            checkName(changes.name().value(), problems);
        }
        if (changes.permissions() != null) {
            checkPermissions(changes.permissions().value(), problems);
        }
        if (changes.scope() != null && changes.scope().value() != null) {
            checkScope(changes.scope().value(), problems);
        }
        if (changes.metadata() != null) {
            checkMetadata(changes.metadata().value(), problems);
        }
        if (changes.rateLimit() != null && changes.rateLimits() != null) {
            // sent, whatever their values: a null in either is a change too
            problems.add(BOTH_LIMIT_FORMS);
        } else if (changes.rateLimit() != null || changes.rateLimits() != null) {
            checkRateLimits(changes.rateLimit() == null ? null : changes.rateLimit().value(),
                    changes.rateLimits() == null ? null : changes.rateLimits().value(), problems);
        }
        if (changes.allowedSources() != null) {
            checkAllowedSources(changes.allowedSources().value(), problems);
        }
        if (changes.expiresAt() != null) {
            checkExpiresAt(changes.expiresAt().value(), now, problems);
        }
        throwIfAny(problems);
        return changes;
    }

    private <T> Change<T> read(JsonNode node, String field, TypeReference<T> type, List<FieldProblem> problems) {
        if (node == null) {
            return null;
        }
        try {
            return Change.to(objectMapper.treeToValue(node, objectMapper.constructType(type)));
        } catch (JsonMappingException e) {
            problems.add(ProblemResponses.fieldProblem(e, field));
        } catch (JsonProcessingException e) {
            problems.add(new FieldProblem(field, "has a value of the wrong type"));
        }
        return null;
    }

    Duration validateRotate(KeyRequests.Rotate request, Duration defaultGrace) {
        if (request == null || request.gracePeriodSeconds() == null) {
            return defaultGrace;
        }
        long seconds = request.gracePeriodSeconds();
        if (seconds < 0 || seconds > maxRotationGrace.toSeconds()) {
            throw new InvalidRequestException("gracePeriodSeconds",
                    "must be from 0 to " + maxRotationGrace.toSeconds() + " seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    String validateRevoke(KeyRequests.Revoke request) {
        if (request == null || request.reason() == null) {
            throw new InvalidRequestException("reason", "is required");
        }
        String reason = request.reason().strip();
        if (reason.isEmpty() || characters(reason) > MAX_REASON || hasControlCharacters(reason)) {
            throw new InvalidRequestException("reason",
                    "must be 1 to " + MAX_REASON + " characters without control characters");
        }
        return reason;
    }

    static KeyScope toScope(KeyRequests.Scope scope) {
        return scope == null ? null : new KeyScope(scope.owners());
    }

    private static void checkAllowedSources(List<String> entries, List<FieldProblem> problems) {
        if (entries == null) {
            return;
        }
        if (entries.isEmpty()) {
            // an empty list is no "nowhere": it would read as no allowlist at all
            problems.add(new FieldProblem("allowedSources", "must hold at least one block; null removes the allowlist"));
            return;
        }
        if (entries.size() > AllowedSources.MAX_ENTRIES) {
            problems.add(new FieldProblem("allowedSources", "must hold at most " + AllowedSources.MAX_ENTRIES));
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (AllowedSources.canonical(entries.get(i)).isEmpty()) {
                problems.add(new FieldProblem("allowedSources[" + i + "]",
                        "must be an IPv4 or IPv6 address, or a CIDR block such as 203.0.113.0/24 or 2001:db8::/48"));
            }
        }
    }

    static RateLimitPolicy toPolicy(KeyRequests.RateLimit rateLimit) {
        return rateLimit == null ? null : new RateLimitPolicy(rateLimit.name(), rateLimit.limit(),
                rateLimit.windowSeconds(), rateLimit.shared() == null ? null : RateLimitSharing.of(rateLimit.shared()));
    }

    /** A new key's limits: the list, or the one the shorthand names, or none. */
    static List<RateLimitPolicy> toPolicies(KeyRequests.RateLimit rateLimit, List<KeyRequests.RateLimit> rateLimits) {
        if (rateLimits != null) {
            return rateLimits.stream().map(KeyRequestValidator::toPolicy).toList();
        }
        return rateLimit == null ? List.of() : List.of(toPolicy(rateLimit));
    }

    private static void checkName(String name, List<FieldProblem> problems) {
        if (name == null) {
            problems.add(new FieldProblem("name", "is required"));
        } else if (name.isBlank() || characters(name) > MAX_NAME || hasControlCharacters(name)) {
            problems.add(new FieldProblem("name",
                    "must be 1 to " + MAX_NAME + " characters, not blank, without control characters"));
        }
    }

    private static void checkPermissions(List<String> permissions, List<FieldProblem> problems) {
        if (permissions == null) {
            problems.add(new FieldProblem("permissions", "is required (it may be an empty array)"));
            return;
        }
        if (permissions.size() > MAX_PERMISSIONS) {
            problems.add(new FieldProblem("permissions", "must hold at most " + MAX_PERMISSIONS + " permissions"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < permissions.size(); i++) {
            String permission = permissions.get(i);
            String field = "permissions[" + i + "]";
            if (permission == null || permission.isEmpty() || permission.length() > MAX_PERMISSION
                    || !PERMISSION.matcher(permission).matches()) {
                problems.add(new FieldProblem(field,
                        "must be 1 to " + MAX_PERMISSION + " characters of a-z 0-9 _ . : * -"));
            } else if (!seen.add(permission)) {
                problems.add(new FieldProblem(field, "is listed twice"));
            }
        }
    }

    private static void checkScope(KeyRequests.Scope scope, List<FieldProblem> problems) {
        List<String> owners = scope.owners();
        if (owners == null || owners.isEmpty() || owners.size() > KeyScope.MAX_OWNERS) {
            problems.add(new FieldProblem("scope.owners", "must hold 1 to " + KeyScope.MAX_OWNERS + " owners"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < owners.size(); i++) {
            String owner = owners.get(i);
            String field = "scope.owners[" + i + "]";
            if (owner == null || owner.length() > MAX_OWNER_ID || !SCOPE_OWNER.matcher(owner).matches()) {
                problems.add(new FieldProblem(field, "must be an ownerId (1 to " + MAX_OWNER_ID
                        + " characters of A-Z a-z 0-9 . _ : @ -) or such a prefix followed by *"));
            } else if (!seen.add(owner)) {
                problems.add(new FieldProblem(field, "is listed twice"));
            }
        }
    }

    private static void checkExpiresAt(Instant expiresAt, Instant now, List<FieldProblem> problems) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            problems.add(new FieldProblem("expiresAt", "must be in the future"));
        }
    }

    /** The shorthand or the list, not both; at most {@value RateLimits#MAX} limits with distinct names. */
    private static void checkRateLimits(KeyRequests.RateLimit rateLimit, List<KeyRequests.RateLimit> rateLimits,
                                        List<FieldProblem> problems) {
        if (rateLimit != null && rateLimits != null) {
            problems.add(BOTH_LIMIT_FORMS);
            return;
        }
        if (rateLimit != null) {
            if (rateLimit.name() != null && !rateLimit.name().equals(RateLimitPolicy.DEFAULT)) {
                problems.add(new FieldProblem("rateLimit.name",
                        "is \"default\" or left out: name other limits in rateLimits"));
            }
            checkRateLimit(rateLimit, "rateLimit", problems);
            return;
        }
        if (rateLimits == null) {
            return;
        }
        if (rateLimits.size() > RateLimits.MAX) {
            problems.add(new FieldProblem("rateLimits", "must hold at most " + RateLimits.MAX + " limits"));
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rateLimits.size(); i++) {
            KeyRequests.RateLimit limit = rateLimits.get(i);
            String field = "rateLimits[" + i + "]";
            if (limit == null) {
                problems.add(new FieldProblem(field, "must be a limit"));
                continue;
            }
            if (limit.name() == null || !RateLimits.NAME.matcher(limit.name()).matches()) {
                problems.add(new FieldProblem(field + ".name", "is required: " + RateLimits.NAME_RULE));
            } else if (limit.name().equals(RateLimits.CREDITS)) {
                problems.add(new FieldProblem(field + ".name", "\"credits\" names the key's credits in costs"));
            } else if (!names.add(limit.name())) {
                problems.add(new FieldProblem(field + ".name", "is the name of another limit"));
            }
            checkRateLimit(limit, field, problems);
        }
    }

    private static void checkRateLimit(KeyRequests.RateLimit rateLimit, String field, List<FieldProblem> problems) {
        if (rateLimit.limit() == null || rateLimit.limit() < 1 || rateLimit.limit() > MAX_RATE_LIMIT) {
            problems.add(new FieldProblem(field + ".limit", "must be an integer from 1 to " + MAX_RATE_LIMIT));
        }
        if (rateLimit.windowSeconds() == null || rateLimit.windowSeconds() < 1
                || rateLimit.windowSeconds() > MAX_RATE_WINDOW_SECONDS) {
            problems.add(new FieldProblem(field + ".windowSeconds",
                    "must be an integer from 1 to " + MAX_RATE_WINDOW_SECONDS));
        }
        if (rateLimit.shared() != null && RateLimitSharing.find(rateLimit.shared()).isEmpty()) {
            problems.add(new FieldProblem(field + ".shared", RateLimitSharing.MUST_BE));
        }
    }

    private void checkMetadata(Map<String, Object> metadata, List<FieldProblem> problems) {
        if (metadata == null) {
            return;
        }
        String badKey = firstBadKey(metadata, "metadata", 1);
        if (badKey != null) {
            problems.add(new FieldProblem(badKey, "keys must be non-empty, not start with $, contain no dot or control "
                    + "character, and nest at most " + MAX_METADATA_DEPTH + " levels"));
            return;
        }
        try {
            if (objectMapper.writeValueAsString(metadata).getBytes(StandardCharsets.UTF_8).length
                    > MAX_METADATA_BYTES) {
                problems.add(new FieldProblem("metadata", "must be at most " + MAX_METADATA_BYTES
                        + " bytes as JSON"));
            }
        } catch (JsonProcessingException e) {
            problems.add(new FieldProblem("metadata", "must be a JSON object"));
        }
    }

    /** The path of the first key MongoDB could not store, or of the first level nested too deep. */
    private static String firstBadKey(Object value, String path, int depth) {
        if (depth > MAX_METADATA_DEPTH) {
            return path;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                String keyPath = path + "." + key;
                if (key.isEmpty() || key.startsWith("$") || key.contains(".") || hasControlCharacters(key)) {
                    return keyPath;
                }
                String nested = firstBadKey(entry.getValue(), keyPath, depth + 1);
                if (nested != null) {
                    return nested;
                }
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String nested = firstBadKey(list.get(i), path + "[" + i + "]", depth + 1);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    /** Limits count characters as people do, not UTF-16 units: an emoji is one character. */
    private static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    private static boolean hasControlCharacters(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    private static void throwIfAny(List<FieldProblem> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }
}
