package com.spendsync.platform.redis;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code REDIS_URL}, when it is set, is Spring Boot's {@code spring.data.redis.url}; when it is not, no URL is set at
 * all. Spring Boot takes the password, user and TLS from a URL whenever one is set, even for Redis Cluster and
 * Sentinel, so a default URL would silently drop {@code SPRING_DATA_REDIS_PASSWORD}.
 */
public class RedisUrlSetting implements EnvironmentPostProcessor {

    public static final String REDIS_URL = "REDIS_URL";
    public static final String SPRING_URL = "spring.data.redis.url";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty(REDIS_URL);
        if (url != null && !url.isBlank()) {
            environment.getPropertySources()
                    .addLast(new MapPropertySource("spendsyncRedisUrl", Map.of(SPRING_URL, url)));
        }
    }
}
