package com.spendsync.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import redis.embedded.Redis;
import redis.embedded.RedisServer;

/**
 * A real redis-server binary (from embedded-redis) on loopback, with an append-only file under the data directory,
 * so the validation view and the usage counters survive a restart. The process is started and stopped here, not by
 * embedded-redis: its JVM shutdown hook would stop Redis at the first SIGTERM, while the processors and clients that
 * write to it are still stopping.
 */
public final class EmbeddedRedis implements AutoCloseable {

    /** How long redis-server may take to write its append-only file and exit after SIGTERM before it is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    /**
     * The servers not closed yet. Spring Boot's shutdown hook, which runs its handlers once every application context
     * has closed, stops those left over, so that one no context owns (a test's) does not outlive a JVM ended by a
     * signal, while one a context owns still stops after the clients that use it.
     */
    private static final Set<EmbeddedRedis> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        SpringApplication.getShutdownHandlers().add(() -> List.copyOf(RUNNING).forEach(EmbeddedRedis::close));
    }

    private final Process process;
    private final String uri;

    private EmbeddedRedis(Process process, String uri) {
        this.process = process;
        this.uri = uri;
    }

    public static EmbeddedRedis start(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        int boundPort = port == 0 ? freePort() : port;
        List<String> command = new ArrayList<>(ownSession());
        command.addAll(RedisServer.newRedisServer()
                .bind(EmbeddedServers.LOOPBACK)
                .port(boundPort)
                .setting("dir " + dataDirectory.toAbsolutePath())
                .setting("appendonly yes")
                .setting("appendfsync everysec")
                .setting("save \"\"")
                .buildCommandArgs());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // counted as running from its first instant: a signal to the JVM while redis-server starts must stop it too
        EmbeddedRedis redis = new EmbeddedRedis(process, "redis://" + EmbeddedServers.LOOPBACK + ":" + boundPort);
        RUNNING.add(redis);
        BufferedReader output = process.inputReader();
        try {
            awaitReady(process, output);
        } catch (IOException | RuntimeException e) {
            RUNNING.remove(redis);
            throw e;
        }
        // read on, or redis-server blocks once the pipe is full
        Thread reader = new Thread(() -> forward(output), "redis-server-output");
        reader.setDaemon(true);
        reader.start();
        return redis;
    }

    public String uri() {
        return uri;
    }

    /** SIGTERM, on which redis-server writes its append-only file and exits; killed after {@link #STOP_TIMEOUT}. */
    @Override
    public void close() {
        RUNNING.remove(this);
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("redis-server did not stop within {}; killing it", STOP_TIMEOUT);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A session of its own where setsid(1) exists, so a Ctrl-C in the terminal reaches the JVM, which stops Redis
     * last, and not redis-server at once. setsid execs in place, so the process stays the one {@link #close} stops.
     */
    private static List<String> ownSession() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, "setsid"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(setsid -> List.of(setsid.toString()))
                .orElse(List.of());
    }

    private static void awaitReady(Process process, BufferedReader output) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (Redis.SERVER_READY_PATTERN.matcher(line).matches()) {
                return;
            }
            seen.append(line).append('\n');
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not start:\n" + seen);
    }

    private static void forward(BufferedReader output) {
        try (output) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                log.debug("redis-server: {}", line);
            }
        } catch (IOException ended) {
            log.debug("redis-server output ended", ended);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
