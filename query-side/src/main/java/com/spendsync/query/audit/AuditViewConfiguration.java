package com.spendsync.query.audit;

import com.spendsync.platform.config.SpendSyncProperties;
import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit view's processor takes batches of {@code AUDIT_BATCH_SIZE} events, each recorded in one bulk write. */
@Configuration(proxyBeanMethods = false)
class AuditViewConfiguration {

    @Bean
    ConfigurerModule auditViewBatchSize(SpendSyncProperties properties) {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerPooledStreamingEventProcessorConfiguration(AuditView.PROCESSING_GROUP,
                        (config, builder) -> builder.batchSize(properties.audit().batchSize())));
    }
}
