package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.lifecycle.KeyLifecycleContract;
import com.spendsync.allinone.support.RedisClusterNodes;
import com.spendsync.allinone.support.RedisProcesses.Node;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.KeyHash;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * SpendSync on a Redis Cluster of three masters and three replicas, real redis-server processes with a password,
 * configured through Spring Boot's own settings only: the key lifecycle, usage and rebuilds across every master, and
 * a master killed under verification traffic.
 */
class RedisClusterTest extends RedisTopologyContract {

    private static final String PASSWORD = "cluster-" + UUID.randomUUID();

    private RedisClusterNodes cluster;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;

    @Override
    protected Map<String, String> startTopology() {
        cluster = RedisClusterNodes.start(processes, 3, PASSWORD);
        return Map.of("spring.data.redis.cluster.nodes", cluster.nodesSetting(),
                "spring.data.redis.password", PASSWORD);
    }

    @Override
    protected RedisClusterCommands<String, String> connect() {
        client = RedisClusterClient.create(cluster.masters().stream().map(Node::uri).toList());
        client.setOptions(ClusterClientOptions.builder().topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(Duration.ofSeconds(1)).enableAllAdaptiveRefreshTriggers().build()).build());
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
        return cluster.masterOfSlot(secret.slot());
    }

    @Override
    protected int masterCount() {
        return cluster.masters().size();
    }

    @Override
    protected Instant killMasterOf(KeyHash secret) {
        processes.kill(cluster.masterOfSlot(secret.slot()));
        return Instant.now();
    }

    @Override
    protected String topology() {
        return "Redis Cluster (3 masters, 3 replicas, cluster-node-timeout " + RedisClusterNodes.NODE_TIMEOUT.toMillis()
                + " ms)";
    }

    @Test
    @Order(0)
    void noEmbeddedRedisIsStartedAndTheViewLiesOnEveryMaster() {
        assertThat(instance().redisUri()).as("REDIS_URL").isNull();
        for (int i = 0; i < 30; i++) {
            // an owner's keys share a slot: keys of many owners, to land on every master
            instance().api().createKey(Map.of("ownerId", "spread-" + i, "name", "k" + i, "permissions", List.of()));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (Node master : cluster.masters()) {
                List<String> entries = processes.on(master, redis -> redis.keys("ss:v:*"));
                assertThat(entries).as(master.address()).isNotEmpty();
            }
        });
    }

    /** The whole lifecycle on the cluster; it runs after the failover, on the replica that took over. */
    @Nested
    class Lifecycle extends KeyLifecycleContract {

        @Override
        protected SpendSyncInstance instance() {
            return RedisClusterTest.this.instance();
        }
    }
}
