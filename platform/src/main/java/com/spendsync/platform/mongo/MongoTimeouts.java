package com.spendsync.platform.mongo;

import com.mongodb.ConnectionString;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.mongo.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How long a MongoDB operation may wait for a server, and for a reply, before it fails (and a request answers 503):
 * with the driver's defaults a command on a MongoDB that is gone held its request thread for 30 s, and one on a
 * MongoDB that stops answering, for ever. A URI that sets {@code serverSelectionTimeoutMS} or {@code socketTimeoutMS}
 * keeps its own.
 */
@Configuration(proxyBeanMethods = false)
public class MongoTimeouts {

    @Bean
    MongoClientSettingsBuilderCustomizer mongoTimeoutsCustomizer(
            @Value("${spring.data.mongodb.uri}") String uri,
            @Value("${spendsync.mongodb.server-selection-timeout}") Duration serverSelection,
            @Value("${spendsync.mongodb.socket-timeout}") Duration socket) {
        ConnectionString given = new ConnectionString(uri);
        return builder -> {
            if (given.getServerSelectionTimeout() == null) {
                builder.applyToClusterSettings(cluster ->
                        cluster.serverSelectionTimeout(serverSelection.toMillis(), TimeUnit.MILLISECONDS));
            }
            if (given.getSocketTimeout() == null) {
                builder.applyToSocketSettings(settings ->
                        settings.readTimeout((int) socket.toMillis(), TimeUnit.MILLISECONDS));
            }
        };
    }
}
