package com.spendsync.alerting.rules;

import org.axonframework.config.ConfigurerModule;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AlertSettings.class)
class AlertingConfiguration {

    @Bean
    ConfigurerModule alertingSequencing() {
        return configurer -> configurer.eventProcessing(processing -> processing.registerSequencingPolicy(
                AlertingProjector.PROCESSING_GROUP, config -> new AlertingSequencing()));
    }
}
