package com.spendsync.platform.verification;

import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.HashSlot;
import com.spendsync.api.keyformat.KeyHash;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of the Redis validation view. Each secret has an entry (a hash) with what verification needs, and
 * beside it its usage counters, and for the usage flush its pending batch and batch counter; all carry the secret's
 * hash as their hash tag. A key's rate-limit buckets are shared by its secrets and lie in their slot, as do the
 * buckets of limits its owner's keys share: all secrets of a key share one slot ({@link ApiKeySecret#rotatedFrom}),
 * and all keys of an owner the owner's ({@link ApiKeySecret#forOwner}), so every script touches a single Redis
 * Cluster slot.
 */
public final class ValidationViewKeys {

    public static final String KEY_ID = "id";
    public static final String OWNER_ID = "owner";
    public static final String STATUS = "status";
    public static final String PERMISSIONS = "perms";
    /** The owners a root key acts on, separated by spaces; absent for an unscoped key. */
    public static final String SCOPE = "scope";
    public static final String EXPIRES_AT = "exp";
    public static final String GRACE_UNTIL = "grace";
    /**
     * The key's rate limits, space-separated, each as {@code name/limit/windowSeconds/k} ({@code /o} for one shared
     * by the owner's keys); a key whose one limit is the key's own named default holds it as 1.0 did, the quota
     * alone here and its window in {@link #RATE_WINDOW_SECONDS}. The script reads both forms.
     */
    public static final String RATE_LIMIT = "rl";
    public static final String RATE_WINDOW_SECONDS = "rw";
    /** The key's allowed networks as the bit prefixes the script compares ({@link AllowedSources}), space-separated. */
    public static final String ALLOWED_SOURCES = "src";
    /** The fields a key's settings fill: an update rewrites them all, those it leaves unset removed. */
    public static final List<String> SETTINGS =
            List.of(PERMISSIONS, SCOPE, EXPIRES_AT, RATE_LIMIT, RATE_WINDOW_SECONDS, ALLOWED_SOURCES);
    public static final String SEQUENCE = "seq";
    public static final String CURRENT_SECRET = "hash";
    public static final String PREVIOUS_SECRET = "prev";

    public static final String STATUS_ACTIVE = "active";
    public static final String STATUS_REVOKED = "revoked";
    public static final String STATUS_EXPIRED = "expired";

    public static final String USAGE_VALID = "valid";
    public static final String USAGE_REJECTED = "rejected";
    public static final String USAGE_LAST_USED = "last";
    public static final String USAGE_BATCH_SEQ = "seq";
    public static final String USAGE_BATCH_EPOCH = "epoch";
    public static final String USAGE_PATTERN = "ss:u:*";
    public static final String PENDING_USAGE_PATTERN = "ss:uf:*";
    /** Held by the command-side instance that flushes usage in the current interval: one flush per interval. */
    public static final String USAGE_FLUSH_WINDOW = "ss:usage-flush";

    /** For each slot, the shortest base-36 number that hashes to it: the one name of the slot's rate-limit buckets. */
    private static final String[] SLOT_TAGS = new String[HashSlot.COUNT];

    static {
        int found = 0;
        for (int n = 0; found < HashSlot.COUNT; n++) {
            String tag = Integer.toString(n, 36);
            int slot = HashSlot.of(tag);
            if (SLOT_TAGS[slot] == null) {
                SLOT_TAGS[slot] = tag;
                found++;
            }
        }
    }

    private ValidationViewKeys() {
    }

    public static String entry(KeyHash hash) {
        return "ss:v:{" + hash.hex() + "}";
    }

    /**
     * The rate-limit buckets of the keys whose secrets lie in the slot of {@code hash}: a hash with one field per
     * bucket (its GCRA state), so a key has one bucket per limit whichever secret is presented, and the buckets
     * outlive a rotation. A key's limit is the field {@code keyId/name} (just {@code keyId} for the one named
     * default), a limit its owner's keys share {@code o/ownerId/name/limit/windowSeconds} (keys that define it alike share
     * it): every key of an owner lies in the owner's slot
     * ({@link ApiKeySecret#forOwner}), so that field is in the same hash for each of them. The verify script names
     * the hash from the presented secret alone, by the slot's own tag.
     */
    public static String rateLimit(KeyHash hash) {
        return "ss:rl:{" + SLOT_TAGS[hash.slot()] + "}";
    }

    /**
     * A limit's field in the slot's bucket hash ({@link #rateLimit}), as the verify script names it: one rule, which
     * the fallback without Redis keeps its buckets by too.
     */
    public static String bucketField(String keyId, String ownerId, RateLimitPolicy limit) {
        if (limit.ownerWide()) {
            return "o/" + ownerId + "/" + limit.name() + "/" + limit.limit() + "/" + limit.windowSeconds();
        }
        return limit.name().equals(RateLimitPolicy.DEFAULT) ? keyId : keyId + "/" + limit.name();
    }

    /**
     * The projector's own record of a key: its settings, current and previous secret, and the sequence number of the
     * last event applied. Not read by the verify script.
     */
    public static String keyRecord(String keyId) {
        return "ss:k:{" + keyId + "}";
    }

    public static String usage(KeyHash hash) {
        return "ss:u:{" + hash.hex() + "}";
    }

    /** A batch of usage counters taken for a flush and not yet recorded, with the same fields plus its number. */
    public static String pendingUsage(KeyHash hash) {
        return "ss:uf:{" + hash.hex() + "}";
    }

    /** The number of the secret's latest usage batch; it never expires, so batch numbers never repeat. */
    public static String usageBatchSeq(KeyHash hash) {
        return "ss:ufseq:{" + hash.hex() + "}";
    }

    /** The entry's fields for a key's settings, as the verify script reads them: the one codec of those fields. */
    public static Map<String, String> settingsFields(List<String> permissions, KeyScope scope,
                                                     List<RateLimitPolicy> rateLimits, Instant expiresAt,
                                                     List<String> allowedSources) {
        Map<String, String> fields = new HashMap<>();
        fields.put(PERMISSIONS, String.join(" ", permissions));
        if (scope != null) {
            fields.put(SCOPE, scopeField(scope));
        }
        if (expiresAt != null) {
            fields.put(EXPIRES_AT, Long.toString(expiresAt.toEpochMilli()));
        }
        if (rateLimits.size() == 1 && rateLimits.get(0).isShorthand()) {
            // the one limit of 1.0, in its form: a query side not yet upgraded reads it too
            fields.put(RATE_LIMIT, Integer.toString(rateLimits.get(0).limit()));
            fields.put(RATE_WINDOW_SECONDS, Integer.toString(rateLimits.get(0).windowSeconds()));
        } else if (!rateLimits.isEmpty()) {
            fields.put(RATE_LIMIT, String.join(" ", rateLimits.stream().map(limit -> limit.name() + "/"
                    + limit.limit() + "/" + limit.windowSeconds() + "/" + (limit.ownerWide() ? "o" : "k")).toList()));
        }
        if (allowedSources != null && !allowedSources.isEmpty()) {
            fields.put(ALLOWED_SOURCES, String.join(" ",
                    allowedSources.stream().map(AllowedSources::prefixBits).toList()));
        }
        return fields;
    }

    /** The {@link #SCOPE} field's value of a scope; null (no field) for no scope. */
    public static String scopeField(KeyScope scope) {
        return scope == null ? null : String.join(" ", scope.owners());
    }

    /** The scope a {@link #SCOPE} field holds; null or empty: no scope. */
    public static KeyScope scopeOf(String field) {
        return field == null || field.isEmpty() ? null : new KeyScope(List.of(field.split(" ")));
    }

    /** The secret hash in the hash tag of any of the keys above but the rate-limit buckets. */
    public static KeyHash hashOf(String redisKey) {
        return KeyHash.of(redisKey.substring(redisKey.indexOf('{') + 1, redisKey.indexOf('}')));
    }
}
