package com.spendsync.platform.verification;

import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.KeyHash;
import java.util.List;

/**
 * The layout of the Redis validation view. Each secret has an entry (a hash) with what verification needs, and
 * beside it its rate-limit state and usage counters, and for the usage flush its pending batch and batch counter.
 * All carry the secret's hash as their hash tag, so every script touches a single Redis Cluster slot.
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
    public static final String RATE_LIMIT = "rl";
    public static final String RATE_WINDOW_SECONDS = "rw";
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

    private ValidationViewKeys() {
    }

    public static String entry(KeyHash hash) {
        return "ss:v:{" + hash.hex() + "}";
    }

    public static String rateLimit(KeyHash hash) {
        return "ss:rl:{" + hash.hex() + "}";
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

    /** The {@link #SCOPE} field's value of a scope; null (no field) for no scope. */
    public static String scopeField(KeyScope scope) {
        return scope == null ? null : String.join(" ", scope.owners());
    }

    /** The scope a {@link #SCOPE} field holds; null or empty: no scope. */
    public static KeyScope scopeOf(String field) {
        return field == null || field.isEmpty() ? null : new KeyScope(List.of(field.split(" ")));
    }

    /** The secret hash in the hash tag of any of the keys above. */
    public static KeyHash hashOf(String redisKey) {
        return KeyHash.of(redisKey.substring(redisKey.indexOf('{') + 1, redisKey.indexOf('}')));
    }
}
