package com.spendsync.command.apikey;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.Change;
import com.spendsync.api.apikey.CreateApiKeyCommand;
import com.spendsync.api.apikey.EndRotationGraceCommand;
import com.spendsync.api.apikey.ExpireApiKeyCommand;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.apikey.ReadsOneRateLimit;
import com.spendsync.api.apikey.RecordKeyUsageCommand;
import com.spendsync.api.apikey.RevokeApiKeyCommand;
import com.spendsync.api.apikey.RotateApiKeyCommand;
import com.spendsync.api.apikey.UpdateApiKeyCommand;
import com.spendsync.api.apikey.RotatedSecret;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.authority.ManagedKey;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.problem.InvalidRequestException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One API key's lifecycle. Command handlers decide: first whether the caller has authority over the key (the
 * {@link com.spendsync.api.authority.Authority} rule, against the key as it stands), then whether its state allows
 * the change ({@link KeyStateConflictException}); state changes only in the event-sourcing handlers. The aggregate
 * holds hashes, never a plaintext secret.
 */
@Aggregate(snapshotTriggerDefinition = "apiKeySnapshotTrigger", cache = "aggregateCache")
public class ApiKey {

    /** Counters kept per secret; see {@link #lastUsageBatchBySecret}. */
    private static final int EPOCHS_KEPT = 4;

    @AggregateIdentifier
    private String keyId;
    private String ownerId;
    private String prefix;
    private KeyEnvironment environment;
    private Instant createdAt;
    private Instant rotatedAt;
    private Instant revokedAt;
    private KeyStatus status;
    private KeyHash keyHash;
    private KeyHash previousKeyHash;
    private Instant previousKeyExpiresAt;
    private String name;
    private List<String> permissions;
    private KeyScope scope;
    private Map<String, Object> metadata;
    @ReadsOneRateLimit
    private List<RateLimitPolicy> rateLimits = List.of();
    private List<String> allowedSources;
    private Instant expiresAt;
    /**
     * Per batch counter ({@link #counterOf}: a secret and an epoch of its counter in Redis), the highest usage batch
     * recorded, oldest counter first. Entries of retired secrets stay: their Redis entry still counts rejected uses
     * for the retention period, and forgetting one would let a retried batch count twice. A secret gains a counter
     * each time Redis loses its data; only its last {@link #EPOCHS_KEPT} are kept, as only a Redis gone back past
     * that many losses could send a batch of an older one again. So the map stays small. (Keyed by string, with the
     * name it had when keyed by secret, so snapshots taken before epochs read unchanged.)
     */
    private Map<String, Long> lastUsageBatchBySecret = new LinkedHashMap<>();
    private long validUses;
    private long rejectedUses;
    private Instant lastUsedAt;

    protected ApiKey() {
    }

    @CommandHandler
    public ApiKey(CreateApiKeyCommand command) {
        command.caller().requireMayCreate(new ManagedKey(command.keyId(), command.ownerId(), command.environment(),
                command.permissions(), command.scope(), command.expiresAt()));
        if (command.expiresAt() != null && !command.expiresAt().isAfter(command.requestedAt())) {
            throw new IllegalArgumentException("expiresAt must be in the future");
        }
        List<String> allowed = allowedSources(command.allowedSources(), command.permissions());
        List<RateLimitPolicy> limits = rateLimits(command.rateLimits(), command.keyHash(), command.ownerId());
        apply(new ApiKeyCreatedEvent(command.keyId(), command.keyHash(), command.prefix(), command.environment(),
                command.ownerId(), command.name(), List.copyOf(command.permissions()), command.scope(),
                command.expiresAt(), limits, allowed, command.metadata(), command.requestedAt()));
    }

    /** The previous secret stops working at the grace end, or at the key's own expiry if that is sooner. */
    @CommandHandler
    public RotatedSecret handle(RotateApiKeyCommand command) {
        command.caller().requireOver(asManaged(), "keys:rotate");
        requireChangeable("rotated", command.requestedAt());
        Instant graceEnd = command.requestedAt().plus(command.gracePeriod());
        if (expiresAt != null && graceEnd.isAfter(expiresAt)) {
            graceEnd = expiresAt;
        }
        ApiKeySecret secret = ApiKeySecret.rotatedFrom(keyHash, environment, command.newSecret());
        apply(new ApiKeyRotatedEvent(keyId, secret.hash(), secret.prefix(), keyHash, graceEnd,
                previousSecretInGrace(command.requestedAt()) ? previousKeyHash : null, command.requestedAt()));
        return new RotatedSecret(secret, graceEnd);
    }

    @CommandHandler
    public void handle(RevokeApiKeyCommand command) {
        command.caller().requireOver(asManaged(), "keys:revoke");
        if (status == KeyStatus.REVOKED) {
            throw new KeyStateConflictException("the key is already revoked");
        }
        apply(new ApiKeyRevokedEvent(keyId, keyHash, previousKeyHash, command.reason(), command.requestedAt()));
    }

    /** Returns the key's settings after the update; an update that changes nothing records nothing. */
    @CommandHandler
    public KeySettings handle(UpdateApiKeyCommand command) {
        List<String> newPermissions = List.copyOf(
                Objects.requireNonNullElse(Change.applyTo(permissions, command.permissions()), List.of()));
        KeyScope newScope = Change.applyTo(scope, command.scope());
        Instant newExpiresAt = Change.applyTo(expiresAt, command.expiresAt());
        command.caller().requireMayUpdate(asManaged(),
                new ManagedKey(keyId, ownerId, environment, newPermissions, newScope, newExpiresAt));
        requireChangeable("updated", command.requestedAt());
        if (newExpiresAt != null && !newExpiresAt.isAfter(command.requestedAt())) {
            throw new IllegalArgumentException("expiresAt must be in the future");
        }
        List<RateLimitPolicy> newRateLimits = newRateLimits(command);
        ApiKeyUpdatedEvent updated = new ApiKeyUpdatedEvent(keyId, keyHash, previousKeyHash,
                Change.applyTo(name, command.name()),
                newPermissions,
                newScope,
                Change.applyTo(metadata, command.metadata()),
                newRateLimits,
                allowedSources(Change.applyTo(allowedSources, command.allowedSources()), newPermissions),
                newExpiresAt,
                changedFields(command, newRateLimits, newExpiresAt),
                command.requestedAt());
        if (!updated.changedFields().isEmpty()) {
            apply(updated);
        }
        return settings();
    }

    @CommandHandler
    public void handle(ExpireApiKeyCommand command) {
        if (!status.isFinal() && expiresAt != null && !expiresAt.isAfter(command.asOf())) {
            apply(new ApiKeyExpiredEvent(keyId, keyHash, previousKeyHash, expiresAt));
        }
    }

    @CommandHandler
    public void handle(EndRotationGraceCommand command) {
        if (!status.isFinal() && previousKeyHash != null && !previousKeyExpiresAt.isAfter(command.asOf())) {
            apply(new ApiKeyRotationGraceEndedEvent(keyId, previousKeyHash, previousKeyExpiresAt));
        }
    }

    /**
     * Uses are recorded whatever the key's status: a revoked or expired key's uses happened (and were rejected). A
     * batch numbered no higher than the secret's last recorded one was recorded before and is left out.
     */
    @CommandHandler
    public void handle(RecordKeyUsageCommand command) {
        List<UsageBatch> unrecorded = command.batches().stream()
                .filter(batch -> batch.batchSeq() > lastUsageBatchBySecret.getOrDefault(counterOf(batch), 0L))
                .toList();
        if (!unrecorded.isEmpty()) {
            apply(new ApiKeyUsedEvent(keyId, unrecorded, command.flushedAt()));
        }
    }

    @EventSourcingHandler
    void on(ApiKeyCreatedEvent event) {
        keyId = event.keyId();
        ownerId = event.ownerId();
        prefix = event.prefix();
        environment = event.environment();
        createdAt = event.createdAt();
        status = KeyStatus.ACTIVE;
        keyHash = event.keyHash();
        name = event.name();
        permissions = event.permissions();
        scope = event.scope();
        metadata = event.metadata();
        rateLimits = event.rateLimits();
        allowedSources = event.allowedSources();
        expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(ApiKeyRotatedEvent event) {
        keyHash = event.newKeyHash();
        prefix = event.newPrefix();
        rotatedAt = event.rotatedAt();
        // with no grace at all the previous secret is gone at once, and nothing is left to end later
        boolean graceRuns = event.graceRuns();
        previousKeyHash = graceRuns ? event.previousKeyHash() : null;
        previousKeyExpiresAt = graceRuns ? event.previousKeyExpiresAt() : null;
        status = graceRuns ? KeyStatus.ROTATING : KeyStatus.ACTIVE;
    }

    @EventSourcingHandler
    void on(ApiKeyUpdatedEvent event) {
        name = event.name();
        permissions = event.permissions();
        scope = event.scope();
        metadata = event.metadata();
        rateLimits = event.rateLimits();
        allowedSources = event.allowedSources();
        expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(ApiKeyRotationGraceEndedEvent event) {
        previousKeyHash = null;
        previousKeyExpiresAt = null;
        status = KeyStatus.ACTIVE;
    }

    @EventSourcingHandler
    void on(ApiKeyRevokedEvent event) {
        status = KeyStatus.REVOKED;
        revokedAt = event.revokedAt();
    }

    @EventSourcingHandler
    void on(ApiKeyExpiredEvent event) {
        status = KeyStatus.EXPIRED;
    }

    @EventSourcingHandler
    void on(ApiKeyUsedEvent event) {
        for (UsageBatch batch : event.batches()) {
            String counter = counterOf(batch);
            if (!lastUsageBatchBySecret.containsKey(counter)) {
                makeRoomForAnEpochOf(batch.keyHash());
            }
            lastUsageBatchBySecret.merge(counter, batch.batchSeq(), Math::max);
        }
        validUses += event.validUses();
        rejectedUses += event.rejectedUses();
        if (event.lastUsedAt() != null && (lastUsedAt == null || event.lastUsedAt().isAfter(lastUsedAt))) {
            lastUsedAt = event.lastUsedAt();
        }
    }

    /** Expiry counts from its instant, even before the expiry event has been recorded. */
    private void requireChangeable(String change, Instant now) {
        if (status.isFinal()) {
            throw new KeyStateConflictException("a " + status.label() + " key cannot be " + change);
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new KeyStateConflictException("an expired key cannot be " + change);
        }
    }

    private boolean previousSecretInGrace(Instant now) {
        return previousKeyHash != null && previousKeyExpiresAt.isAfter(now);
    }

    private Set<String> changedFields(UpdateApiKeyCommand command, List<RateLimitPolicy> newRateLimits,
                                      Instant newExpiresAt) {
        Set<String> changed = new LinkedHashSet<>();
        if (command.name() != null && !Objects.equals(name, command.name().value())) {
            changed.add("name");
        }
        if (command.permissions() != null && !Objects.equals(permissions, command.permissions().value())) {
            changed.add("permissions");
        }
        if (command.scope() != null && !Objects.equals(scope, command.scope().value())) {
            changed.add("scope");
        }
        if (command.metadata() != null && !Objects.equals(metadata, command.metadata().value())) {
            changed.add("metadata");
        }
        if (!rateLimits.equals(newRateLimits)) {
            changed.add("rateLimits");
        }
        if (command.allowedSources() != null && !Objects.equals(allowedSources, command.allowedSources().value())) {
            changed.add("allowedSources");
        }
        if (!Objects.equals(expiresAt, newExpiresAt)) {
            changed.add("expiresAt");
        }
        return changed;
    }

    /**
     * The allowlist as recorded: every block in canonical form, none for an empty one. It restricts verification
     * only, so a key that reaches the management plane cannot have one: it would not hold where a root key is used.
     */
    private static List<String> allowedSources(List<String> blocks, List<String> permissions) {
        List<String> canonical = AllowedSources.canonicalAll(blocks);
        if (canonical != null && Permissions.reachManagement(permissions)) {
            throw new InvalidRequestException("allowedSources",
                    "restricts verification only: a key holding management permissions cannot have one");
        }
        return canonical;
    }

    /** The whole list, or the limit named default only (the shorthand), or the limits as they are. */
    private List<RateLimitPolicy> newRateLimits(UpdateApiKeyCommand command) {
        List<RateLimitPolicy> limits = rateLimits;
        if (command.rateLimits() != null) {
            limits = RateLimits.of(command.rateLimits().value());
        } else if (command.defaultRateLimit() != null) {
            limits = RateLimits.withDefault(rateLimits, command.defaultRateLimit().value());
        }
        return rateLimits(limits, keyHash, ownerId);
    }

    /**
     * The limits as recorded. A limit shared by the owner's keys is one bucket in the owner's Redis Cluster slot, so a
     * key can hold one only if its secrets lie in that slot: every key created through the API since owner-wide limits
     * exist does.
     */
    private static List<RateLimitPolicy> rateLimits(List<RateLimitPolicy> limits, KeyHash keyHash, String ownerId) {
        List<RateLimitPolicy> recorded = RateLimits.of(limits);
        if (recorded.stream().anyMatch(RateLimitPolicy::ownerWide)
                && keyHash.slot() != ApiKeySecret.ownerSlot(ownerId)) {
            throw new KeyStateConflictException("the key's secret lies outside its owner's Redis slot (a key created "
                    + "before owner-wide limits, or the bootstrap key): give the limit to a new key of the owner");
        }
        return recorded;
    }

    private ManagedKey asManaged() {
        return new ManagedKey(keyId, ownerId, environment, permissions, scope, expiresAt);
    }

    private KeySettings settings() {
        return new KeySettings(keyId, ownerId, name, prefix, environment, permissions, scope, status, createdAt,
                expiresAt, lastUsedAt,
                rotatedAt, previousKeyHash == null ? null : previousKeyExpiresAt, revokedAt, rateLimits,
                allowedSources, metadata, new KeySettings.Usage(validUses, rejectedUses));
    }

    private void makeRoomForAnEpochOf(KeyHash secret) {
        // hashes are all as long, so a counter starting with the secret's hash is one of its counters
        List<String> counters = lastUsageBatchBySecret.keySet().stream()
                .filter(counter -> counter.startsWith(secret.hex()))
                .toList();
        counters.subList(0, Math.max(0, counters.size() - EPOCHS_KEPT + 1)).forEach(lastUsageBatchBySecret::remove);
    }

    private static String counterOf(UsageBatch batch) {
        String secret = batch.keyHash().hex();
        return batch.batchEpoch().equals(UsageBatch.FIRST_EPOCH) ? secret : secret + "@" + batch.batchEpoch();
    }
}
