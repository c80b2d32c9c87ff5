package com.spendsync.query.validationview;

import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The validation view runs on a tracking processor, not a pooled one: its threads block on the event stream and wake
 * the moment an event is stored, while the pooled coordinator looks for new events on a fixed 500 ms schedule, which
 * measured as up to half a second between a revocation and verification answering REVOKED.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class ValidationViewProcessorConfiguration {

    @Bean
    ConfigurerModule validationViewProcessor() {
        return configurer -> configurer.eventProcessing(processing -> processing.registerTrackingEventProcessor(
                RedisValidationViewProjector.PROCESSING_GROUP, Configuration::eventStore,
                configuration -> TrackingEventProcessorConfiguration.forParallelProcessing(2)
                        .andInitialSegmentsCount(2).andBatchSize(100)));
    }
}
