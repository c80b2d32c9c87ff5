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
import java.util.List;
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
    private final EmbeddedServers servers;
    private final Path signingKey;
    private final ApiKeySecret rootKey = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();

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

    public ApiKeySecret rootKey() {
        return rootKey;
    }

    /** Starts {@code service} (its application class) with these settings beside the shared ones. */
    public ConfigurableApplicationContext start(Class<?> service, String... settings) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0",
                "--MONGODB_URI=" + servers.mongoUri(),
                "--REDIS_URL=" + servers.redisUri(),
                "--SPENDSYNC_BOOTSTRAP_KEY=" + rootKey.reveal(),
                "--SPENDSYNC_NODE_ID=" + service.getSimpleName() + "-" + UUID.randomUUID(),
                "--SPENDSYNC_DATA_DIR=" + directory.resolve(service.getSimpleName() + "-" + UUID.randomUUID()),
                "--SPENDSYNC_AUDIT_SIGNING_KEY=" + signingKey,
                "--spring.main.banner-mode=off"));
        for (String setting : settings) {
            arguments.add("--" + setting);
        }
        ConfigurableApplicationContext context = new SpringApplication(service).run(arguments.toArray(String[]::new));
        started.add(context);
        return context;
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The service's API with the root key. */
    public Api api(ConfigurableApplicationContext context) {
        return new Api("http://127.0.0.1:" + port(context), rootKey.reveal());
    }

    /** Stops the services still running, then the servers. */
    @Override
    public void close() {
        started.forEach(ConfigurableApplicationContext::close);
        servers.destroy();
    }
}
