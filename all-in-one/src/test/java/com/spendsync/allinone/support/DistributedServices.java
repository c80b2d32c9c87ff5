package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.embedded.EmbeddedServers;
import com.spendsync.platform.integrity.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    /** The servers when started in this JVM; null when an infra-mode process runs them. */
    private final EmbeddedServers servers;
    private final InfraProcess infra;
    private final String mongoUri;
    private final String redisUri;
    private final Path signingKey;
    private final ApiKeySecret rootKey = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    /** Kills the processes this left running if the test JVM ends without closing it (a fork timed out, say). */
    private final Thread orphanKiller = new Thread(this::killProcesses);

    /** The embedded servers started in this JVM. */
    public DistributedServices() {
        this(false);
    }

    private DistributedServices(boolean infraProcess) {
        directory = temporaryDirectory();
        if (infraProcess) {
            servers = null;
            infra = InfraProcess.start(directory, directory.resolve("infra.log"), Ports.free());
            mongoUri = infra.mongoUri();
            redisUri = infra.redisUri();
        } else {
            servers = EmbeddedServers.start(directory, 0, 0);
            infra = null;
            mongoUri = servers.mongoUri();
            redisUri = servers.redisUri();
        }
        Runtime.getRuntime().addShutdownHook(orphanKiller);
        signingKey = directory.resolve("audit-signing-key.pem");
        try {
            SigningKey.load(signingKey, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void killProcesses() {
        List<Process> all = new ArrayList<>(processes);
        if (infra != null) {
            all.add(infra.process());
        }
        for (Process process : all) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** The embedded servers run by {@code SPENDSYNC_MODE=infra} in a JVM of their own, as the README starts them. */
    public static DistributedServices onInfraProcess() {
        return new DistributedServices(true);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("spendsync-distributed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The servers started in this JVM (not there on an infra process). */
    public EmbeddedServers servers() {
        if (servers == null) {
            throw new IllegalStateException("the servers run in an infra-mode process");
        }
        return servers;
    }

    public String mongoUri() {
        return mongoUri;
    }

    public String redisUri() {
        return redisUri;
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
        shared(nodeId(service)).forEach((name, value) -> arguments.add("--" + name + "=" + value));
        arguments.add("--server.port=0");
        arguments.add("--spring.main.banner-mode=off");
        for (String setting : settings) {
            arguments.add("--" + setting);
        }
        ConfigurableApplicationContext context = new SpringApplication(service).run(arguments.toArray(String[]::new));
        started.add(context);
        return context;
    }

    /** A service running as a JVM of its own: its node id, its port, its output. */
    public record ServiceProcess(String node, Process process, int port, Path log, Api api) {

        /** Until its readiness probe answers 200; fails at once, with its output, if it died. */
        public void awaitReady() {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                assertThat(process.isAlive()).as(node + " died: " + Files.readString(log)).isTrue();
                try {
                    return api.send("GET", "/actuator/health/readiness", null, null).status() == 200;
                } catch (RuntimeException notListening) {
                    return false;
                }
            });
        }
    }

    /**
     * Starts {@code service} as a JVM of its own, from this test's classpath, on a free port, its output in a file
     * named after its node id; the shared settings and {@code settings} go in its environment, as a deployment gives
     * them.
     */
    public ServiceProcess startProcess(Class<?> service, Map<String, String> settings) {
        String node = nodeId(service);
        int port = Ports.free();
        Path log = directory.resolve(node + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), service.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(shared(node));
        builder.environment().putAll(settings);
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        try {
            Process process = builder.start();
            processes.add(process);
            return new ServiceProcess(node, process, port, log, new Api("http://127.0.0.1:" + port,
                    rootKey.reveal()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String nodeId(Class<?> service) {
        return service.getSimpleName() + "-" + UUID.randomUUID();
    }

    private Map<String, String> shared(String instance) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("MONGODB_URI", mongoUri);
        settings.put("REDIS_URL", redisUri);
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
        try {
            started.forEach(ConfigurableApplicationContext::close);
        } finally {
            processes.forEach(process -> Stopping.stop(process, Duration.ofSeconds(30)));
            Runtime.getRuntime().removeShutdownHook(orphanKiller);
            if (infra != null) {
                infra.close();
            } else {
                servers.destroy();
            }
        }
    }
}
