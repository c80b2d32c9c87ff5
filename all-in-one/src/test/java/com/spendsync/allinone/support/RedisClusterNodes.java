package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.RedisProcesses.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Redis Cluster of real redis-server processes, formed as {@code redis-cli --cluster create} would: the slots
 * split evenly over the masters, every node introduced to the first, one replica per master. A node that misses
 * others for {@link #NODE_TIMEOUT} counts as failed, and its replica takes over.
 */
public final class RedisClusterNodes {

    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private static final int SLOTS = 16_384;

    private final RedisProcesses processes;
    private final List<Node> masters;
    private final List<Node> replicas;

    private RedisClusterNodes(RedisProcesses processes, List<Node> masters, List<Node> replicas) {
        this.processes = processes;
        this.masters = masters;
        this.replicas = replicas;
    }

    public static RedisClusterNodes start(RedisProcesses processes, int masterCount, String password) {
        List<String> settings = List.of("cluster-node-timeout " + NODE_TIMEOUT.toMillis(), "masterauth " + password);
        List<Node> masters = new ArrayList<>();
        List<Node> replicas = new ArrayList<>();
        for (int i = 0; i < masterCount; i++) {
            masters.add(processes.clusterNode(password, settings));
            replicas.add(processes.clusterNode(password, settings));
        }
        for (int i = 0; i < masterCount; i++) {
            int[] slots = IntStream.range(SLOTS * i / masterCount, SLOTS * (i + 1) / masterCount).toArray();
            processes.on(masters.get(i), redis -> redis.clusterAddSlots(slots));
        }
        Node first = masters.get(0);
        List<Node> all = new ArrayList<>(masters);
        all.addAll(replicas);
        all.stream().skip(1).forEach(node -> processes.on(node, redis -> redis.clusterMeet("127.0.0.1", first.port())));
        await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().allMatch(node ->
                processes.on(node, redis -> redis.clusterNodes().lines().count()) == all.size()));
        for (int i = 0; i < masterCount; i++) {
            String masterId = processes.on(masters.get(i), redis -> redis.clusterMyId());
            processes.on(replicas.get(i), redis -> redis.clusterReplicate(masterId));
        }
        RedisClusterNodes cluster = new RedisClusterNodes(processes, masters, replicas);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node node : all) {
                String info = processes.on(node, redis -> redis.clusterInfo());
                assertThat(info).as(node.address()).contains("cluster_state:ok");
            }
            for (Node master : masters) {
                String replication = processes.on(master, redis -> redis.info("replication"));
                assertThat(replication).as(master.address()).contains("connected_slaves:1");
            }
        });
        return cluster;
    }

    /** Spring Boot's {@code spring.data.redis.cluster.nodes}: every node, as a deployment would list them. */
    public String nodesSetting() {
        List<Node> all = new ArrayList<>(masters);
        all.addAll(replicas);
        return all.stream().map(Node::address).collect(Collectors.joining(","));
    }

    public List<Node> masters() {
        return masters;
    }

    /** The replica formed for {@code master}: the node that takes over its slots when it fails. */
    public Node replicaOf(Node master) {
        return replicas.get(masters.indexOf(master));
    }

    /** The master holding {@code slot} when the cluster was formed. */
    public Node masterOfSlot(int slot) {
        return masters.get(IntStream.range(0, masters.size())
                .filter(i -> slot >= SLOTS * i / masters.size() && slot < SLOTS * (i + 1) / masters.size())
                .findFirst().orElseThrow());
    }

    /** Whether {@code node} says it is a master with every slot of the cluster served. */
    public boolean servesAsMaster(Node node) {
        return processes.on(node, redis -> redis.info("replication")).contains("role:master")
                && processes.on(node, redis -> redis.clusterInfo()).contains("cluster_state:ok");
    }
}
