package com.spendsync.allinone.support;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import redis.embedded.core.ExecutableProvider;

/**
 * redis-server processes of the binary embedded-redis ships, each with a configuration file and directory of its own,
 * for the Redis Cluster and Sentinel tests. {@link #kill} ends one as a crash would (SIGKILL); closing ends them all.
 */
public final class RedisProcesses implements AutoCloseable {

    private final Path directory;
    private final List<Node> nodes = new ArrayList<>();
    private final RedisClient client = RedisClient.create();

    public RedisProcesses() {
        try {
            directory = Files.createTempDirectory("spendsync-redis-processes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One redis-server process: its port and the password its clients give. */
    public record Node(int port, String password, Process process) {

        public String address() {
            return "127.0.0.1:" + port;
        }

        public RedisURI uri() {
            RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(port)
                    .withTimeout(Duration.ofSeconds(5));
            return password == null ? uri.build() : uri.withPassword(password.toCharArray()).build();
        }
    }

    /** A server with {@code settings} (configuration file lines) beside its port, loopback address and directory. */
    public Node server(String password, List<String> settings) {
        return start(password, settings, false);
    }

    /** A Redis Cluster node: its port leaves room for the cluster bus port 10000 above it. */
    public Node clusterNode(String password, List<String> settings) {
        List<String> clustered = new ArrayList<>(List.of("cluster-enabled yes", "cluster-config-file nodes.conf"));
        clustered.addAll(settings);
        return start(password, clustered, false);
    }

    /** A sentinel: redis-server in sentinel mode, which rewrites its configuration file as it learns. */
    public Node sentinel(String password, List<String> settings) {
        return start(password, settings, true);
    }

    /** Runs {@code commands} on a connection of its own to {@code node}. */
    public <T> T on(Node node, Function<RedisCommands<String, String>, T> commands) {
        try (StatefulRedisConnection<String, String> connection = client.connect(node.uri())) {
            return commands.apply(connection.sync());
        }
    }

    /** SIGKILL: no append-only file written, no goodbye to replicas or sentinels. */
    public void kill(Node node) {
        node.process().destroyForcibly();
        try {
            node.process().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        nodes.forEach(this::kill);
        client.shutdown();
    }

    private Node start(String password, List<String> settings, boolean sentinel) {
        try {
            int port = freePort(settings.contains("cluster-enabled yes"));
            Path home = Files.createDirectories(directory.resolve(Integer.toString(port)));
            List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + home,
                    "logfile " + home.resolve("redis.log")));
            if (!sentinel) {
                lines.addAll(List.of("save \"\"", "appendonly no"));
            }
            if (password != null) {
                lines.add("requirepass " + password);
            }
            lines.addAll(settings);
            Path configuration = Files.write(home.resolve("redis.conf"), lines);
            List<String> command = new ArrayList<>(List.of(
                    ExecutableProvider.newJarResourceProvider().get().getAbsolutePath(), configuration.toString()));
            if (sentinel) {
                command.add("--sentinel");
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(home.resolve("stdout").toFile()).start();
            Node node = new Node(port, password, process);
            nodes.add(node);
            await().atMost(Duration.ofSeconds(10)).until(() -> answers(port));
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any reply to PING, even a refusal for want of a password, says the server is listening. */
    private static boolean answers(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return in.read() != -1;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort(boolean withBus) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (!withBus) {
                    return port;
                }
                if (port + 10_000 <= 65_535) {
                    try (ServerSocket bus = new ServerSocket(port + 10_000)) {
                        return port;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
        }
        throw new IOException("no free port with a free cluster bus port above it");
    }
}
