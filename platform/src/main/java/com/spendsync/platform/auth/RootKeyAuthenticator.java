package com.spendsync.platform.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.verification.KeyVerifier;
import com.spendsync.platform.verification.Verification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.springframework.stereotype.Component;

/**
 * Checks management credentials against the validation view, and remembers the answer for a short, stated bound
 * ({@code spendsync.auth.cache-ttl}) so that a gateway's verify calls cost no extra Redis round trip. A revoked root
 * key therefore stops working within that bound; an expiring one stops at its instant.
 */
@Component
public class RootKeyAuthenticator {

    private final KeyVerifier verifier;
    private final Clock clock;
    private final Cache<KeyHash, CheckedKey> checkedKeys;

    public RootKeyAuthenticator(KeyVerifier verifier, Clock clock, SpendSyncProperties properties) {
        this.verifier = verifier;
        this.clock = clock;
        SpendSyncProperties.Auth auth = properties.auth();
        this.checkedKeys = Caffeine.newBuilder()
                .maximumSize(auth.cacheSize())
                .expireAfter(new CheckedKeyExpiry(auth.cacheTtl(), auth.rejectionCacheTtl()))
                .build();
    }

    /**
     * The authority of the root key presented, if it is well formed and currently valid: its permissions and scope
     * as the validation view holds them, and its environment as its prefix says.
     */
    public Optional<Authority> authenticate(String presentedKey) {
        Optional<ApiKeySecret> secret = ApiKeySecret.parse(presentedKey);
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        return authorityOf(checkedKeys.get(secret.get().hash(), hash -> check(hash, secret.get().environment())));
    }

    /**
     * {@link #authenticate} without blocking the calling thread: a key checked a moment ago is answered from memory,
     * any other is checked on {@code blocking}.
     */
    public CompletionStage<Optional<Authority>> authenticateWithoutBlocking(String presentedKey, Executor blocking) {
        Optional<ApiKeySecret> secret = ApiKeySecret.parse(presentedKey);
        if (secret.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CheckedKey checked = checkedKeys.getIfPresent(secret.get().hash());
        return checked != null ? CompletableFuture.completedFuture(authorityOf(checked))
                : CompletableFuture.supplyAsync(() -> authenticate(presentedKey), blocking);
    }

    private Optional<Authority> authorityOf(CheckedKey checked) {
        if (checked.key() == null || !checked.validAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(checked.key());
    }

    private CheckedKey check(KeyHash hash, KeyEnvironment environment) {
        Verification verification = verifier.inspect(hash);
        if (!verification.valid()) {
            return new CheckedKey(null, null);
        }
        Instant validUntil = earliest(verification.expiresAt(), verification.rotationGraceUntil());
        return new CheckedKey(new Authority(verification.keyId(), verification.permissions(), verification.scope(),
                environment, verification.expiresAt()), validUntil);
    }

    private static Instant earliest(Instant first, Instant second) {
        if (first == null) {
            return second;
        }
        return second == null || first.isBefore(second) ? first : second;
    }

    private record CheckedKey(Authority key, Instant validUntil) {
        boolean validAt(Instant now) {
            return validUntil == null || now.isBefore(validUntil);
        }
    }

    private record CheckedKeyExpiry(Duration acceptedTtl, Duration rejectedTtl) implements Expiry<KeyHash, CheckedKey> {
        @Override
        public long expireAfterCreate(KeyHash hash, CheckedKey checked, long currentTime) {
            return (checked.key() == null ? rejectedTtl : acceptedTtl).toNanos();
        }

        @Override
        public long expireAfterUpdate(KeyHash hash, CheckedKey checked, long currentTime, long currentDuration) {
            return expireAfterCreate(hash, checked, currentTime);
        }

        @Override
        public long expireAfterRead(KeyHash hash, CheckedKey checked, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
