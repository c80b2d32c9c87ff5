package com.spendsync.allinone.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.SpendSyncApplication;
import com.spendsync.allinone.support.Api;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM (what {@code docker stop}, systemd and Kubernetes send) ends an all-in-one process that is busy reading
 * a backlog within the shutdown bound of docs/architecture.md, in order: the embedded servers stop last, so the
 * Redis client never loses its server while a processor still writes to it. The process is a JVM of its own, as in
 * production, started from this test's classpath.
 */
class SigtermTest {

    /** docs/architecture.md, "Stopping": the sum of the shutdown steps' timeouts. */
    private static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(35);
    /** The JVM's exit code after its shutdown hooks ran for a SIGTERM (128 + 15). */
    private static final int TERMINATED_BY_SIGTERM = 128 + 15;
    private static final int KEYS = 200;
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "Process.destroy() sends no SIGTERM there")
    void aSigtermEndsABusyProcessInOrderWithinTheBound(@TempDir Path temp) throws Exception {
        ApiKeySecret rootKey = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
        // kept after the run, to read when it fails
        Path log = Files.createDirectories(Path.of("target", "sigterm-test")).resolve("spendsync.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), SpendSyncApplication.class.getName(),
                "--server.port=0", "--SPENDSYNC_DATA_DIR=" + temp.resolve("data"),
                "--SPENDSYNC_EMBEDDED_MONGO_PORT=0", "--SPENDSYNC_EMBEDDED_REDIS_PORT=0",
                "--spring.main.banner-mode=off")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // in the environment, not on the command line, where any process could read it
        builder.environment().put("SPENDSYNC_BOOTSTRAP_KEY", rootKey.reveal());
        Process process = builder.start();
        List<ProcessHandle> children = List.of();
        try {
            int port = await().atMost(Duration.ofMinutes(2)).until(() -> port(log), Objects::nonNull);
            Api api = new Api("http://127.0.0.1:" + port, rootKey.reveal());
            await().atMost(Duration.ofSeconds(30)).until(() -> api.verify(rootKey.reveal()).status() == 200);
            for (int i = 0; i < KEYS; i++) {
                assertThat(api.createKey(Map.of("ownerId", "sigterm", "name", "key " + i,
                        "permissions", List.of("payments:read"))).status()).isEqualTo(201);
            }
            // the backlog: the validation view reads every event again, writing each to Redis
            assertThat(api.post("/v1/admin/projections/redis-validation-view/replay", Map.of()).status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> segmentsReplaying(api, "redis-validation-view"));

            children = process.descendants().toList();
            process.destroy();

            assertThat(process.waitFor(SHUTDOWN_BOUND.toSeconds(), TimeUnit.SECONDS))
                    .as("ended within %s:%n%s", SHUTDOWN_BOUND, tail(log)).isTrue();
            assertThat(process.exitValue()).isEqualTo(TERMINATED_BY_SIGTERM);
            assertThat(children).as("redis-server ended with it").noneMatch(ProcessHandle::isAlive);
            List<String> output = Files.readAllLines(log);
            assertThat(output).as("the last step ran").anyMatch(line -> line.contains("Embedded servers stopped"));
            assertThat(output).as("Redis stayed up while its clients ran, and no processor failed on its way out")
                    .filteredOn(line -> line.contains("Cannot reconnect") || line.contains("Starting retry mode"))
                    .isEmpty();
        } finally {
            // a process that hung, or ended without stopping it, leaves no redis-server behind
            children.forEach(ProcessHandle::destroyForcibly);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static Integer port(Path log) throws IOException {
        Matcher matcher = PORT.matcher(Files.readString(log));
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }

    private static boolean segmentsReplaying(Api api, String projection) {
        return StreamSupport.stream(api.get("/v1/admin/projections").json().spliterator(), false)
                .filter(status -> projection.equals(status.path("name").asText()))
                .flatMap(status -> StreamSupport.stream(status.path("segments").spliterator(), false))
                .anyMatch(segment -> segment.path("replaying").asBoolean());
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
