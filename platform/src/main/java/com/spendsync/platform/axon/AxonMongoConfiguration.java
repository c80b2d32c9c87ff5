package com.spendsync.platform.axon;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.mongodb.client.MongoClient;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.integrity.ChainedEventStorageStrategy;
import com.spendsync.platform.integrity.MovedChains;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.WeakReferenceCache;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.MongoTemplate;
import org.axonframework.extensions.mongo.eventhandling.saga.repository.MongoSagaStore;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.DocumentPerEventStorageStrategy;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.documentperevent.EventEntryConfiguration;
import org.axonframework.extensions.mongo.eventsourcing.tokenstore.MongoTokenStore;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.util.StringUtils;

/**
 * Axon on MongoDB: axon-mongo has no Boot auto-configuration past 4.10, so the event store, token store and saga
 * store are wired here. The event store lives in the audit database because it is the audit log.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class AxonMongoConfiguration {

    /** Metadata keys copied from a command to every event it causes. */
    public static final String ACTOR = "actor";
    public static final String SOURCE = "source";
    /** How long a token claim holds without being extended: a crashed instance's segments wait this long. */
    public static final Duration TOKEN_CLAIM_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    MongoTemplate axonMongoTemplate(MongoClient client, SpendSyncProperties properties) {
        return DefaultMongoTemplate.builder().mongoDatabase(client, properties.auditDatabase()).build();
    }

    @Bean
    @Primary
    Serializer serializer() {
        return JacksonSerializer.builder().objectMapper(messageMapper()).build();
    }

    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer() {
        return JacksonSerializer.builder().objectMapper(messageMapper()).build();
    }

    @Bean
    @Qualifier("messageSerializer")
    Serializer messageSerializer() {
        return JacksonSerializer.builder().objectMapper(messageMapper()).build();
    }

    @Bean
    EventStorageEngine eventStorageEngine(MongoTemplate axonMongoTemplate,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          SpendSyncProperties properties, MovedChains movedChains) {
        return MongoEventStorageEngine.builder()
                .mongoTemplate(axonMongoTemplate)
                .eventSerializer(eventSerializer)
                .snapshotSerializer(JacksonSerializer.builder().objectMapper(snapshotMapper()).build())
                .storageStrategy(properties.audit().chainEvents()
                        ? new ChainedEventStorageStrategy(EventEntryConfiguration.getDefault(),
                                properties.eventStore().lookBack(), movedChains)
                        : new DocumentPerEventStorageStrategy(EventEntryConfiguration.getDefault(),
                                properties.eventStore().lookBack()))
                .batchSize(properties.eventStore().batchSize())
                .build();
    }

    @Bean
    EmbeddedEventStore eventStore(EventStorageEngine storageEngine, Configuration configuration,
                                  SpendSyncProperties properties) {
        return EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class))
                .fetchDelay(properties.eventStore().pollInterval().toMillis())
                .timeUnit(TimeUnit.MILLISECONDS)
                .build();
    }

    @Bean
    TokenStore tokenStore(MongoTemplate axonMongoTemplate, Serializer serializer, SpendSyncProperties properties) {
        return MongoTokenStore.builder()
                .mongoTemplate(axonMongoTemplate)
                .serializer(serializer)
                .nodeId(nodeId(properties))
                .claimTimeout(TOKEN_CLAIM_TIMEOUT)
                .build();
    }

    @Bean
    SagaStore<Object> sagaStore(MongoTemplate axonMongoTemplate, Serializer serializer) {
        return MongoSagaStore.builder().mongoTemplate(axonMongoTemplate).serializer(serializer).build();
    }

    @Bean
    CorrelationDataProvider actorCorrelation() {
        return new SimpleCorrelationDataProvider(ACTOR, SOURCE);
    }

    @Bean
    CorrelationDataProvider messageOriginProvider() {
        return new MessageOriginProvider();
    }

    /**
     * Streaming processors are pooled, so several instances share a processor's segments through the token store,
     * each holding its fair share of them ({@link ProcessorInstances}).
     * A projector that fails stops its segment and retries with back-off rather than skip the event (Axon's default
     * logs and moves on, which would leave a view silently wrong: a revocation skipped is a revoked key accepted).
     */
    @Bean
    ConfigurerModule streamingProcessors(ProcessorInstances instances) {
        return configurer -> configurer.eventProcessing(processing -> processing
                .usingPooledStreamingEventProcessors((config, builder) -> builder.initialSegmentCount(4).batchSize(100)
                        .maxSegmentProvider(instances::fairShare))
                .registerDefaultListenerInvocationErrorHandler(config -> PropagatingErrorHandler.instance()));
    }

    /**
     * Each of Axon's shutdown phases waits this long at most (docs/architecture.md, "Stopping"): the processors'
     * phase is the one that waits, for the batches under way.
     */
    @Bean
    ConfigurerModule boundedShutdown() {
        return configurer -> configurer.configureLifecyclePhaseTimeout(5, TimeUnit.SECONDS);
    }

    @Bean
    Cache aggregateCache() {
        return new WeakReferenceCache();
    }

    /** This process's name in token claims and outbox leases: SPENDSYNC_NODE_ID, else the JVM's pid@host. */
    public static String nodeId(SpendSyncProperties properties) {
        return StringUtils.hasText(properties.nodeId())
                ? properties.nodeId()
                : ManagementFactory.getRuntimeMXBean().getName();
    }

    /** The mapper events and messages are written and read with. */
    public static ObjectMapper messageMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // events stay readable after a field is added or dropped
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Snapshots are whole aggregates, whose state is in private fields without accessors. */
    public static ObjectMapper snapshotMapper() {
        ObjectMapper mapper = messageMapper();
        mapper.setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE);
        mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
        mapper.setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY);
        return mapper;
    }
}
