package com.spendsync.platform.integrity;

import com.mongodb.client.MongoClient;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.config.SpendSyncProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.extensions.mongo.MongoTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/** The tamper-evident trail of every service that appends events: its chain heads, signing key, seals and sealer. */
@Configuration(proxyBeanMethods = false)
public class IntegrityConfiguration {

    /** The generated signing key, in the data directory, unless {@code SPENDSYNC_AUDIT_SIGNING_KEY} names a file. */
    public static final String SIGNING_KEY_FILE = "audit-signing-key.pem";
    /** The append-only copy of every seal this process made, in the data directory. */
    public static final String SEAL_FILE = "audit-seals.ndjson";
    /** The actor of the migration's record in the trail. */
    public static final String MIGRATION_ACTOR = "system:audit-chain";

    @Bean
    MovedChains movedChains() {
        return new MovedChains();
    }

    @Bean
    SigningKey auditSigningKey(SpendSyncProperties properties,
                               @Value("${spendsync.data-dir}") Path dataDirectory) {
        String configured = properties.audit().signingKey();
        try {
            return StringUtils.hasText(configured)
                    ? SigningKey.load(Path.of(configured), false)
                    : SigningKey.load(dataDirectory.resolve(SIGNING_KEY_FILE), true);
        } catch (IOException e) {
            throw new UncheckedIOException("the audit signing key could not be read or written", e);
        }
    }

    @Bean
    SealStore sealStore(MongoClient client, SpendSyncProperties properties) {
        return new SealStore(client.getDatabase(properties.auditDatabase()).getCollection(SealStore.COLLECTION));
    }

    @Bean
    AuditSealer auditSealer(MovedChains movedChains, SealStore sealStore, SigningKey auditSigningKey,
                            SpendSyncProperties properties, Clock clock,
                            @Value("${spendsync.data-dir}") Path dataDirectory) {
        String webhook = properties.audit().sealWebhook();
        return new AuditSealer(movedChains, sealStore, auditSigningKey, AxonMongoConfiguration.nodeId(properties),
                clock, properties.audit().sealInterval(), dataDirectory.resolve(SEAL_FILE),
                StringUtils.hasText(webhook) ? URI.create(webhook) : null);
    }

    /** The migration of a store written before chaining, run at start when events are chained. */
    @Bean
    @ConditionalOnProperty(name = "spendsync.audit.chain-events", havingValue = "true", matchIfMissing = true)
    ChainMigration chainMigration(MongoTemplate axonMongoTemplate, MongoClient client, SpendSyncProperties properties,
                                  SealStore sealStore, SigningKey auditSigningKey, Clock clock, EventBus eventBus) {
        return new ChainMigration(axonMongoTemplate.eventCollection(),
                client.getDatabase(properties.auditDatabase()).getCollection(ChainMigration.MARKERS),
                sealStore, auditSigningKey, AxonMongoConfiguration.nodeId(properties), clock,
                chained -> eventBus.publish(GenericEventMessage.asEventMessage(chained)
                        .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, MIGRATION_ACTOR))));
    }

    @Bean
    TrailIntegrity trailIntegrity(MongoTemplate axonMongoTemplate, SealStore sealStore, SigningKey auditSigningKey) {
        return new TrailIntegrity(axonMongoTemplate.eventCollection(), sealStore, auditSigningKey.publicKey());
    }
}
