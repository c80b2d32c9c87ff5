package com.spendsync.query.keyview;

import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.admin.ProjectionRebuilds;
import com.spendsync.platform.verification.SecretEntry;
import com.spendsync.platform.verification.ValidationViewKeys;
import com.spendsync.platform.verification.VerificationFallback;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Answers for a secret from the MongoDB key view, which knows each key's current and previous secret and every
 * secret it retired. While the key view is being rebuilt it answers nothing (verification then says
 * {@code NOT_FOUND}): a view being rebuilt walks each key through its older states, where a retired or revoked secret
 * was once active, and what it said would be written back to Redis.
 */
@Component
public class MongoVerificationFallback implements VerificationFallback {

    private final KeyViews views;
    private final ProjectionRebuilds rebuilds;

    MongoVerificationFallback(KeyViews views, ProjectionRebuilds rebuilds) {
        this.views = views;
        this.rebuilds = rebuilds;
    }

    @Override
    public Optional<SecretEntry> lookup(KeyHash hash) {
        if (rebuilds.rebuilding(KeyViewProjector.PROCESSING_GROUP)) {
            return Optional.empty();
        }
        KeyView view = views.findBySecretHash(hash.hex());
        if (view == null) {
            return Optional.empty();
        }
        if (hash.hex().equals(view.keyHash())) {
            return Optional.of(entryOf(view, false));
        }
        if (hash.hex().equals(view.previousKeyHash())) {
            return Optional.of(entryOf(view, true));
        }
        if (view.retiredSecrets() == null) {
            return Optional.empty();
        }
        return view.retiredSecrets().stream().filter(retired -> retired.hash().equals(hash.hex())).findFirst()
                .map(retired -> entryOf(view, retired.endedAt()));
    }

    /** The validation-view entry of the key's current secret, or of its previous one. */
    public static SecretEntry entryOf(KeyView view, boolean previousSecret) {
        return entryOf(view, previousSecret ? view.rotationExpiresAt() : null);
    }

    /** The entry of a secret of the key that is valid until {@code graceUntil} (null: as long as the key). */
    private static SecretEntry entryOf(KeyView view, Instant graceUntil) {
        return new SecretEntry(view.keyId(), view.ownerId(), statusOf(view.status()), view.permissions(),
                view.scope(), view.expiresAt(), graceUntil, view.revokedAt(), view.rateLimits(),
                view.allowedSources(), view.version());
    }

    private static String statusOf(KeyStatus status) {
        return switch (status) {
            case REVOKED -> ValidationViewKeys.STATUS_REVOKED;
            case EXPIRED -> ValidationViewKeys.STATUS_EXPIRED;
            case ACTIVE, ROTATING -> ValidationViewKeys.STATUS_ACTIVE;
        };
    }
}
