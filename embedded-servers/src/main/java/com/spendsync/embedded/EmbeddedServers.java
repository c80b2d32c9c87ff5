package com.spendsync.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The embedded servers one process started, stopped together after every bean that uses them is gone, each within
 * 5 s (docs/architecture.md, "Stopping").
 */
public final class EmbeddedServers implements DisposableBean {

    static final String LOOPBACK = "127.0.0.1";
    static final String DATA_DIR = "SPENDSYNC_DATA_DIR";
    static final String MONGO_PORT = "SPENDSYNC_EMBEDDED_MONGO_PORT";
    static final String REDIS_PORT = "SPENDSYNC_EMBEDDED_REDIS_PORT";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedServers.class);

    private final EmbeddedMongo mongo;
    private final EmbeddedRedis redis;

    private EmbeddedServers(EmbeddedMongo mongo, EmbeddedRedis redis) {
        this.mongo = mongo;
        this.redis = redis;
    }

    /**
     * Starts the servers asked for with the embedded default's settings, read through {@code setting} (a process's
     * environment, or Spring's): {@code SPENDSYNC_DATA_DIR} (./data), {@code SPENDSYNC_EMBEDDED_MONGO_PORT} (27018),
     * {@code SPENDSYNC_EMBEDDED_REDIS_PORT} (6380).
     */
    static EmbeddedServers start(Function<String, String> setting, boolean mongo, boolean redis) {
        String data = setting.apply(DATA_DIR);
        return start(Path.of(data == null || data.isBlank() ? "./data" : data),
                mongo ? port(setting, MONGO_PORT, 27018) : null, redis ? port(setting, REDIS_PORT, 6380) : null);
    }

    private static int port(Function<String, String> setting, String name, int fallback) {
        String value = setting.apply(name);
        try {
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'", e);
        }
    }

    /** Starts the servers that are asked for; a null port means that server is external and not started here. */
    public static EmbeddedServers start(Path dataDirectory, Integer mongoPort, Integer redisPort) {
        EmbeddedMongo mongo = null;
        try {
            if (mongoPort != null) {
                mongo = EmbeddedMongo.start(dataDirectory.resolve("mongo"), mongoPort);
                log.info("Embedded MongoDB-wire server (mongo-java-server, H2 files in {}) at {}",
                        dataDirectory.resolve("mongo").toAbsolutePath(), mongo.uri());
            }
            EmbeddedRedis redis = null;
            if (redisPort != null) {
                redis = EmbeddedRedis.start(dataDirectory.resolve("redis"), redisPort);
                log.info("Embedded Redis server (append-only file in {}) at {}",
                        dataDirectory.resolve("redis").toAbsolutePath(), redis.uri());
            }
            return new EmbeddedServers(mongo, redis);
        } catch (IOException e) {
            if (mongo != null) {
                mongo.close();
            }
            throw new UncheckedIOException("could not start the embedded servers", e);
        }
    }

    public String mongoUri() {
        return mongo == null ? null : mongo.uri();
    }

    public String redisUri() {
        return redis == null ? null : redis.uri();
    }

    @Override
    public void destroy() {
        if (redis != null) {
            redis.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        log.info("Embedded servers stopped");
    }
}
