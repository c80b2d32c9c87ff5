package com.spendsync.platform.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings shared by every service. Their defaults, and the seed's environment names they honour
 * ({@code API_KEY_DB_NAME}, {@code API_KEY_ROTATION_GRACE_DAYS}, ...), are in {@code spendsync-defaults.properties}.
 *
 * @param keyCheckpointInterval every how many events of a key the key view keeps a copy of it, from which the key's
 *                              state at an instant is rebuilt
 */
@ConfigurationProperties("spendsync")
public record SpendSyncProperties(
        String nodeId,
        String keyDatabase,
        String keyCollection,
        int keyCheckpointInterval,
        String auditDatabase,
        Duration keyRetention,
        Duration rotationGrace,
        Duration maxRotationGrace,
        EventStore eventStore,
        Auth auth,
        int maxRequestBodyBytes,
        Audit audit) {

    public record EventStore(Duration pollInterval, Duration lookBack, int batchSize, int snapshotThreshold) {
    }

    /**
     * @param cacheTtl how long a checked root key is trusted without asking Redis again: a revoked root key stops
     *                 working within this bound
     * @param rejectionCacheTtl how long a rejected credential is remembered, so a flood of bad ones stays off Redis
     * @param bootstrapKey the first root key on a store that has none; generated and printed once when unset
     */
    public record Auth(Duration cacheTtl, Duration rejectionCacheTtl, int cacheSize, String bootstrapKey) {
    }

    /**
     * @param retention how long the audit view keeps an entry (the event store keeps every event for good)
     * @param maskedFields names of fields whose values the audit view shows as {@code ***}, at any depth
     * @param batchSize at most how many events the audit view records per bulk write
     * @param sealInterval how often the chains this process moved are sealed (and once more when it stops)
     * @param signingKey the PEM file of the Ed25519 key pair that signs seals; empty: one generated into the data
     *                   directory on first start
     * @param sealWebhook where each seal is also posted as JSON; empty: nowhere
     * @param chainEvents whether appended events are chained (on; off only to measure what chaining costs, which
     *                    leaves the events it stores unchained for good)
     */
    public record Audit(Duration retention, List<String> maskedFields, int batchSize, Duration sealInterval,
                        String signingKey, String sealWebhook, boolean chainEvents) {
    }
}
