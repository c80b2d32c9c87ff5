package com.spendsync.command.apikey;

import com.spendsync.platform.config.SpendSyncProperties;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A key with a long history (many usage flushes) loads from its latest snapshot plus the events after it. */
@Configuration(proxyBeanMethods = false)
class ApiKeyAggregateConfiguration {

    @Bean
    SnapshotTriggerDefinition apiKeySnapshotTrigger(Snapshotter snapshotter, SpendSyncProperties properties) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, properties.eventStore().snapshotThreshold());
    }
}
