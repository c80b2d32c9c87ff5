package com.spendsync.embedded;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The embedded default: for whichever of {@code MONGODB_URI} and {@code REDIS_URL} is not set (nor, for Redis, any
 * of Spring Boot's own settings naming one), starts the embedded server on loopback and points the setting at it.
 * The servers are registered as the context's first disposable bean, so they stop last, after the processors and
 * connections that use them.
 */
public class EmbeddedServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String MONGODB_URI = "MONGODB_URI";
    static final String REDIS_URL = "REDIS_URL";
    static final String SPRING_REDIS_URL = "spring.data.redis.url";
    /**
     * Spring Boot's own settings that name a Redis: a URL or host given directly, a Cluster or a Sentinel (the
     * services' defaults are not loaded yet when this runs, so only what the user set is seen).
     */
    static final List<String> REDIS_SETTINGS = List.of("spring.data.redis.url", "spring.data.redis.host",
            "spring.data.redis.cluster.nodes", "spring.data.redis.cluster.nodes[0]",
            "spring.data.redis.sentinel.master");

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (!environment.getProperty("spendsync.embedded.enabled", Boolean.class, true)) {
            return;
        }
        boolean needsMongo = !environment.containsProperty(MONGODB_URI);
        boolean needsRedis = !environment.containsProperty(REDIS_URL)
                && REDIS_SETTINGS.stream().noneMatch(environment::containsProperty);
        if (!needsMongo && !needsRedis) {
            return;
        }
        EmbeddedServers servers = EmbeddedServers.start(environment::getProperty, needsMongo, needsRedis);
        Map<String, Object> uris = new HashMap<>();
        if (needsMongo) {
            uris.put(MONGODB_URI, servers.mongoUri());
        }
        if (needsRedis) {
            uris.put(REDIS_URL, servers.redisUri());
            // Spring Boot's own setting too: the services map REDIS_URL to it before this runs
            uris.put(SPRING_REDIS_URL, servers.redisUri());
        }
        environment.getPropertySources().addFirst(new MapPropertySource("spendsyncEmbeddedServers", uris));
        context.getBeanFactory().registerSingleton("spendsyncEmbeddedServers", servers);
        ((DefaultSingletonBeanRegistry) context.getBeanFactory())
                .registerDisposableBean("spendsyncEmbeddedServers", servers);
    }
}
