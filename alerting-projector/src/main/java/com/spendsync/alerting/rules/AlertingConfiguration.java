package com.spendsync.alerting.rules;

import com.spendsync.api.security.AccessFailuresObservedEvent;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AlertSettings.class)
class AlertingConfiguration {

    /**
     * Events of one alert subject are handled in order by one segment: a key's events by key, refusals by source,
     * so the read-then-write of a window or an alert never races another segment.
     */
    @Bean
    ConfigurerModule alertingSequencing() {
        return configurer -> configurer.eventProcessing(processing -> processing.registerSequencingPolicy(
                AlertingProjector.PROCESSING_GROUP, config -> event ->
                        event.getPayload() instanceof AccessFailuresObservedEvent failures
                                ? "source:" + failures.source()
                                : SequentialPerAggregatePolicy.instance().getSequenceIdentifierFor(event)));
    }
}
