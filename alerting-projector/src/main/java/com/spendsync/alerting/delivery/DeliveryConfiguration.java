package com.spendsync.alerting.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.config.SpendSyncProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

/** The channels this deployment has set up, and the senders that serve them. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DeliverySettings.class)
class DeliveryConfiguration {

    @Bean
    AlertChannels alertChannels(DeliverySettings settings, ObjectProvider<JavaMailSender> mailSender,
                                     ObjectMapper json, Clock clock) {
        List<AlertChannel> channels = new ArrayList<>();
        if (settings.email().configured()) {
            channels.add(new EmailChannel(settings.email(), mailSender));
        }
        if (settings.slack().configured()) {
            channels.add(new SlackChannel(settings.slack(), json, clock));
        }
        return new AlertChannels(List.copyOf(channels));
    }

    @Bean
    AlertDispatcher alertDispatcher(AlertChannels alertChannels, Outbox outbox, DeliverySettings settings,
                                    EventGateway events, Clock clock, SpendSyncProperties properties,
                                    MeterRegistry meters) {
        return new AlertDispatcher(alertChannels.all(), outbox, settings, events, clock,
                AxonMongoConfiguration.nodeId(properties), meters, properties.audit().retention());
    }
}
