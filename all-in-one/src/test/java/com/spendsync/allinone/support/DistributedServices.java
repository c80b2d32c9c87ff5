package com.spendsync.allinone.support;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.embedded.EmbeddedServers;
import com.spendsync.platform.integrity.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Distributed mode on one machine: the embedded servers started on their own, as external MongoDB and Redis would
 * be, and services started against them, each an application of its own with its own node id and data directory,
 * all given the installation's one root key and one audit signing key (docs/architecture.md).
 */
public final class DistributedServices implements AutoCloseable {

    private final Path directory;
    private final EmbeddedServers servers;
    private final Path signingKey;
    private final ApiKeySecret rootKey = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    public DistributedServices() {
        try {
            directory = Files.createTempDirectory("spendsync-distributed");
            servers = EmbeddedServers.start(directory, 0, 0);
            signingKey = directory.resolve("audit-signing-key.pem");
            SigningKey.load(signingKey, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public EmbeddedServers servers() {
        return servers;
    }

    /** Where the embedded Redis keeps its append-only file: a Redis restarted on it finds the view again. */
    public Path redisDirectory() {
        return directory.resolve("redis");
    }

    public ApiKeySecret rootKey() {
        return rootKey;
    }

    /** Starts {@code service} (its application class) in this JVM with these settings beside the shared ones. */
    public ConfigurableApplicationContext start(Class<?> service, String... settings) {
        List<String> arguments = new ArrayList<>();
        shared(service).forEach((name, value) -> arguments.add("--" + name + "=" + value));
        arguments.add("--server.port=0");
        arguments.add("--spring.main.banner-mode=off");
        for (String setting : settings) {
            arguments.add("--" + setting);
        }
        ConfigurableApplicationContext context = new SpringApplication(service).run(arguments.toArray(String[]::new));
        started.add(context);
        return context;
    }

    /**
     * Starts {@code service} as a JVM of its own, from this test's classpath, on {@code port}, its output in
     * {@code log}; the settings go in its environment, as a deployment gives them.
     */
    public Process startProcess(Class<?> service, int port, Path log) {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), service.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(shared(service));
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> shared(Class<?> service) {
        String instance = service.getSimpleName() + "-" + UUID.randomUUID();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("MONGODB_URI", servers.mongoUri());
        settings.put("REDIS_URL", servers.redisUri());
        settings.put("SPENDSYNC_BOOTSTRAP_KEY", rootKey.reveal());
        settings.put("SPENDSYNC_NODE_ID", instance);
        settings.put("SPENDSYNC_DATA_DIR", directory.resolve(instance).toString());
        settings.put("SPENDSYNC_AUDIT_SIGNING_KEY", signingKey.toString());
        return settings;
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The service's API with the root key. */
    public Api api(ConfigurableApplicationContext context) {
        return new Api("http://127.0.0.1:" + port(context), rootKey.reveal());
    }

    /** Stops the services still running (a process: SIGKILL after 30 s), then the servers. */
    @Override
    public void close() {
        started.forEach(ConfigurableApplicationContext::close);
        for (Process process : processes) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        servers.destroy();
    }
}
