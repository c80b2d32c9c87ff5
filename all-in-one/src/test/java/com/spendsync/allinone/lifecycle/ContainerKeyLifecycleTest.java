package com.spendsync.allinone.lifecycle;

import com.spendsync.allinone.support.SpendSyncInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/** The same lifecycle against real {@code mongo:7} and {@code redis:7}; skipped where Docker is not available. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKeyLifecycleTest extends KeyLifecycleContract {

    @Container
    private static final MongoDBContainer MONGO = new MongoDBContainer(DockerImageName.parse("mongo:7"));

    @Container
    private static final GenericContainer<?> REDIS =
            new GenericContainer<>(DockerImageName.parse("redis:7")).withExposedPorts(6379);

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start() {
        instance = SpendSyncInstance.builder()
                .property("MONGODB_URI", MONGO.getReplicaSetUrl())
                .property("REDIS_URL", "redis://" + REDIS.getHost() + ":" + REDIS.getMappedPort(6379))
                .start();
    }

    @AfterAll
    static void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Override
    protected SpendSyncInstance instance() {
        return instance;
    }
}
