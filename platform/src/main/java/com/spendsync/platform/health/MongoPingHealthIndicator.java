package com.spendsync.platform.health;

import com.mongodb.client.MongoClient;
import com.spendsync.platform.config.SpendSyncProperties;
import org.bson.Document;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * MongoDB health by {@code ping}, which MongoDB and the embedded MongoDB-wire server both answer (Boot's own
 * indicator sends {@code hello}, which the embedded server lacks).
 */
@Component("mongoHealthIndicator")
class MongoPingHealthIndicator extends AbstractHealthIndicator {

    private final MongoClient client;
    private final String database;

    MongoPingHealthIndicator(MongoClient client, SpendSyncProperties properties) {
        super("MongoDB ping failed");
        this.client = client;
        this.database = properties.auditDatabase();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        client.getDatabase(database).runCommand(new Document("ping", 1));
        builder.up().withDetail("database", database);
    }
}
