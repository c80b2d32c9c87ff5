package com.spendsync.platform.redis;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How soon Lettuce sees a Redis Cluster failover. Its adaptive refresh (on redirects and failed reconnects) runs at
 * most once per {@link #ADAPTIVE_REFRESH_AT_MOST_EVERY}; Lettuce's default of 30 s meant that a refresh made when the
 * master died, before its replica took over, left the slots on the dead node until the next periodic refresh.
 * Spring Boot's settings ({@code spring.data.redis.lettuce.cluster.refresh.*}) keep deciding everything else.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterTopologyRefresh {

    static final Duration ADAPTIVE_REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);

    @Bean
    LettuceClientOptionsBuilderCustomizer clusterTopologyRefreshCustomizer(RedisProperties properties) {
        return builder -> {
            if (builder instanceof ClusterClientOptions.Builder cluster) {
                RedisProperties.Lettuce.Cluster.Refresh refresh = properties.getLettuce().getCluster().getRefresh();
                ClusterTopologyRefreshOptions.Builder options = ClusterTopologyRefreshOptions.builder()
                        .dynamicRefreshSources(refresh.isDynamicRefreshSources());
                if (refresh.getPeriod() != null) {
                    options.enablePeriodicRefresh(refresh.getPeriod());
                }
                if (refresh.isAdaptive()) {
                    options.enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_AT_MOST_EVERY);
                }
                cluster.topologyRefreshOptions(options.build());
            }
        };
    }
}
