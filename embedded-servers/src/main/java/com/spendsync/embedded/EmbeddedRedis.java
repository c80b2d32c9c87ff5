package com.spendsync.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server binary (from embedded-redis) on loopback, with an append-only file under the data directory,
 * so the validation view and the usage counters survive a restart.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final RedisServer server;
    private final String uri;

    private EmbeddedRedis(RedisServer server, String uri) {
        this.server = server;
        this.uri = uri;
    }

    public static EmbeddedRedis start(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        int boundPort = port == 0 ? freePort() : port;
        RedisServer server = RedisServer.newRedisServer()
                .bind(EmbeddedServers.LOOPBACK)
                .port(boundPort)
                .setting("dir " + dataDirectory.toAbsolutePath())
                .setting("appendonly yes")
                .setting("appendfsync everysec")
                .setting("save \"\"")
                .build();
        server.start();
        return new EmbeddedRedis(server, "redis://" + EmbeddedServers.LOOPBACK + ":" + boundPort);
    }

    public String uri() {
        return uri;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
