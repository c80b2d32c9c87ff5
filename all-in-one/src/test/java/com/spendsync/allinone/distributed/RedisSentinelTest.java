package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.lifecycle.KeyLifecycleContract;
import com.spendsync.allinone.support.RedisProcesses.Node;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.KeyHash;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * SpendSync on Redis Sentinel: one master, one replica and three sentinels, real redis-server processes, passwords on
 * the data nodes and on the sentinels, configured through Spring Boot's own settings only.
 */
class RedisSentinelTest extends RedisTopologyContract {

    private static final String MASTER_NAME = "spendsync";
    private static final String PASSWORD = "data-" + UUID.randomUUID();
    private static final String SENTINEL_PASSWORD = "sentinel-" + UUID.randomUUID();
    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    private Node master;
    private Node replica;
    private final List<Node> sentinels = new ArrayList<>();
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @Override
    protected Map<String, String> startTopology() {
        master = processes.server(PASSWORD, List.of("masterauth " + PASSWORD));
        replica = processes.server(PASSWORD, List.of("masterauth " + PASSWORD, "replicaof 127.0.0.1 " + master.port()));
        for (int i = 0; i < 3; i++) {
            sentinels.add(processes.sentinel(SENTINEL_PASSWORD, List.of(
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                    "sentinel auth-pass " + MASTER_NAME + " " + PASSWORD,
                    "sentinel sentinel-pass " + SENTINEL_PASSWORD,
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER_NAME + " 10000")));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node sentinel : sentinels) {
                String info = processes.on(sentinel, redis -> redis.info("sentinel"));
                assertThat(info).as(sentinel.address()).contains("status=ok", "slaves=1", "sentinels=3");
            }
        });
        String nodes = sentinels.stream().map(Node::address).collect(Collectors.joining(","));
        return Map.of("spring.data.redis.sentinel.master", MASTER_NAME, "spring.data.redis.sentinel.nodes", nodes,
                "spring.data.redis.sentinel.password", SENTINEL_PASSWORD,
                "spring.data.redis.password", PASSWORD);
    }

    @Override
    protected RedisClusterCommands<String, String> connect() {
        RedisURI.Builder uri = RedisURI.builder().withSentinelMasterId(MASTER_NAME)
                .withPassword(PASSWORD.toCharArray());
        sentinels.forEach(sentinel -> uri.withSentinel("127.0.0.1", sentinel.port(), SENTINEL_PASSWORD));
        client = RedisClient.create(uri.build());
        connection = client.connect();
        return connection.sync();
    }

    @Override
    protected void disconnect() {
        connection.close();
        client.shutdown();
    }

    @Override
    protected Object masterOf(KeyHash secret) {
        return master;
    }

    @Override
    protected int masterCount() {
        return 1;
    }

    @Override
    protected Instant killMasterOf(KeyHash secret) {
        processes.kill(master);
        return Instant.now();
    }

    @Override
    protected String topology() {
        return "Redis Sentinel (1 master, 1 replica, 3 sentinels, down-after-milliseconds " + DOWN_AFTER.toMillis()
                + ")";
    }

    @Test
    @Order(0)
    void noEmbeddedRedisIsStartedAndTheViewIsOnTheMaster() {
        assertThat(instance().redisUri()).as("REDIS_URL").isNull();
        List<String> entries = processes.on(master, redis -> redis.keys("ss:v:*"));
        assertThat(entries).as("the bootstrap key's entry").isNotEmpty();
    }

    @Test
    @Order(5)
    void theReplicaIsTheMasterNow() {
        String replication = processes.on(replica, redis -> redis.info("replication"));
        assertThat(replication).contains("role:master");
    }

    /** The whole lifecycle on Sentinel; it runs after the failover, on the replica that took over. */
    @Nested
    class Lifecycle extends KeyLifecycleContract {

        @Override
        protected SpendSyncInstance instance() {
            return RedisSentinelTest.this.instance();
        }
    }
}
