package com.spendsync.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

/**
 * A redis-server that no application context owns and nobody closed (a test's, when its JVM is stopped mid-run)
 * stops with the JVM that started it: it runs in a session of its own, so nothing else would stop it.
 */
class UnclosedRedisTest {

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "Process.destroy() sends no SIGTERM there")
    void aSigtermToTheJvmStopsARedisNobodyClosed(@TempDir Path temp) throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), temp.toString())
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("holder.log").toFile())
                .start();
        Optional<ProcessHandle> redis = Optional.empty();
        try {
            redis = await().atMost(Duration.ofMinutes(1))
                    .until(() -> jvm.descendants().filter(UnclosedRedisTest::isRedisServer).findFirst(),
                            Optional::isPresent);

            jvm.destroy();

            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("the JVM ended").isTrue();
            ProcessHandle server = redis.orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> !server.isAlive());
        } finally {
            // once the JVM is gone, a redis-server left behind is no longer among its descendants
            redis.ifPresent(ProcessHandle::destroyForcibly);
            jvm.descendants().forEach(ProcessHandle::destroyForcibly);
            jvm.destroyForcibly();
        }
    }

    private static boolean isRedisServer(ProcessHandle process) {
        return process.info().command().map(command -> command.contains("redis-server")).orElse(false);
    }

    /** A JVM that runs a Spring application, as the services and their tests do, and a Redis it never closes. */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            SpringApplication application = new SpringApplication(Holder.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.run();
            EmbeddedRedis.start(Path.of(args[0]), 0);
            new CountDownLatch(1).await();
        }
    }
}
