package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.SpendSyncApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code SPENDSYNC_MODE=infra}: the embedded MongoDB-wire server and Redis as a JVM of their own, on free ports, as
 * the README's distributed mode starts them; the URIs are the ones it prints.
 */
public final class InfraProcess implements AutoCloseable {

    private static final Pattern URIS = Pattern.compile("(?m)^MONGODB_URI=(\\S+)$[\\s\\S]*^REDIS_URL=(\\S+)$");

    private final Process process;
    private final String mongoUri;
    private final String redisUri;

    private InfraProcess(Process process, String mongoUri, String redisUri) {
        this.process = process;
        this.mongoUri = mongoUri;
        this.redisUri = redisUri;
    }

    /** Starts infra mode on {@code data}, its output in {@code log}, the (unused) web port set to {@code webPort}. */
    public static InfraProcess start(Path data, Path log, int webPort) {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SpendSyncApplication.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("SPENDSYNC_MODE", "infra", "SPENDSYNC_DATA_DIR", data.toString(),
                "SPENDSYNC_EMBEDDED_MONGO_PORT", "0", "SPENDSYNC_EMBEDDED_REDIS_PORT", "0",
                "SERVER_PORT", Integer.toString(webPort)));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Matcher uris = await().atMost(Duration.ofMinutes(1)).until(() -> {
                assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
                Matcher matcher = URIS.matcher(Files.readString(log));
                return matcher.find() ? matcher : null;
            }, matcher -> matcher != null);
            return new InfraProcess(process, uris.group(1), uris.group(2));
        } catch (RuntimeException | AssertionError failed) {
            new InfraProcess(process, null, null).close();
            throw failed;
        }
    }

    public Process process() {
        return process;
    }

    public String mongoUri() {
        return mongoUri;
    }

    public String redisUri() {
        return redisUri;
    }

    /** SIGTERM, then waits for it and the redis-server it started to end; SIGKILL after 30 s. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        Stopping.stop(process, Duration.ofSeconds(30));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            // a redis-server its SIGKILLed parent could not stop
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
