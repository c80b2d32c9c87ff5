package com.spendsync.platform.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How Lettuce behaves when Redis goes away, beside Spring Boot's settings ({@code spring.data.redis.*}):
 * <ul>
 * <li>While disconnected it refuses commands at once instead of queueing them until the command timeout: a
 * verification then answers from the MongoDB view at once, where it waited the 2 s timeout first.</li>
 * <li>On a Cluster, its adaptive topology refresh (on redirects and failed reconnects) runs at most once per
 * {@link #ADAPTIVE_REFRESH_AT_MOST_EVERY}; Lettuce's default of 30 s meant that a refresh made when a master died,
 * before its replica took over, left the slots on the dead node until the next periodic refresh.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class RedisClientOptions {

    static final Duration ADAPTIVE_REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);

    @Bean
    LettuceClientOptionsBuilderCustomizer redisClientOptionsCustomizer(RedisProperties properties) {
        return builder -> {
            builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
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
