package com.spendsync.query.keyview;

import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.verification.SecretEntry;
import com.spendsync.platform.verification.ValidationViewKeys;
import com.spendsync.platform.verification.VerificationFallback;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Answers for a secret from the MongoDB key view, which knows each key's current and previous secret. */
@Component
public class MongoVerificationFallback implements VerificationFallback {

    private final KeyViews views;

    MongoVerificationFallback(KeyViews views) {
        this.views = views;
    }

    @Override
    public Optional<SecretEntry> lookup(KeyHash hash) {
        KeyView view = views.findBySecretHash(hash.hex());
        return view == null ? Optional.empty() : Optional.of(entryOf(view, hash.hex().equals(view.previousKeyHash())));
    }

    /** The validation-view entry of the key's current secret, or of its previous one. */
    public static SecretEntry entryOf(KeyView view, boolean previousSecret) {
        return new SecretEntry(view.keyId(), view.ownerId(), statusOf(view.status()), view.permissions(),
                view.scope(), view.expiresAt(), previousSecret ? view.rotationExpiresAt() : null, view.rateLimit(), view.version());
    }

    private static String statusOf(KeyStatus status) {
        return switch (status) {
            case REVOKED -> ValidationViewKeys.STATUS_REVOKED;
            case EXPIRED -> ValidationViewKeys.STATUS_EXPIRED;
            case ACTIVE, ROTATING -> ValidationViewKeys.STATUS_ACTIVE;
        };
    }
}
