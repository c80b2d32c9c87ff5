package com.spendsync.platform.config;

import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Defaults sit in a property source of the lowest rank, so any setting or environment variable overrides them. */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:META-INF/spendsync/spendsync-defaults.properties")
@EnableConfigurationProperties(SpendSyncProperties.class)
@EnableScheduling
public class PlatformConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    SecureRandom secureRandom() {
        return new SecureRandom();
    }
}
