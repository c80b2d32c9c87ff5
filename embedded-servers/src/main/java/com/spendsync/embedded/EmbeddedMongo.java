package com.spendsync.embedded;

import com.spendsync.embedded.mongo.IndexedH2Backend;
import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The MongoDB-wire server of the embedded default, keeping its data and its indexes in an H2 file under the data
 * directory (docs/architecture.md, "The embedded MongoDB-wire server").
 */
public final class EmbeddedMongo implements AutoCloseable {

    /** System property that turns on no-table-scan mode (MongoDB's notablescan). */
    public static final String NO_TABLE_SCAN_PROPERTY = "spendsync.embedded.mongo.notablescan";
    /** Environment variable that turns on no-table-scan mode when the system property is not set. */
    public static final String NO_TABLE_SCAN_ENV = "SPENDSYNC_EMBEDDED_MONGO_NOTABLESCAN";

    private final MongoServer server;
    private final IndexedH2Backend backend;
    private final String uri;

    private EmbeddedMongo(MongoServer server, IndexedH2Backend backend, String uri) {
        this.server = server;
        this.backend = backend;
        this.uri = uri;
    }

    /**
     * How the server behaves beyond storing.
     *
     * @param noTableScan refuse any read that no index serves, with MongoDB's error 291 (off for users; on in tests,
     *     where it proves every query the services send has an index)
     * @param ttlInterval how often TTL indexes are swept (MongoDB: once a minute)
     */
    public record Options(boolean noTableScan, Duration ttlInterval) {

        /** No-table-scan from the system property or the environment variable (off when neither says true). */
        public static Options defaults() {
            String property = System.getProperty(NO_TABLE_SCAN_PROPERTY);
            String setting = property != null ? property : System.getenv(NO_TABLE_SCAN_ENV);
            return new Options(Boolean.parseBoolean(setting == null ? null : setting.trim()), Duration.ofMinutes(1));
        }

        public Options withNoTableScan(boolean on) {
            return new Options(on, ttlInterval);
        }

        public Options withTtlInterval(Duration interval) {
            return new Options(noTableScan, interval);
        }
    }

    public static EmbeddedMongo start(Path dataDirectory, int port) throws IOException {
        return start(dataDirectory, port, Options.defaults());
    }

    public static EmbeddedMongo start(Path dataDirectory, int port, Options options) throws IOException {
        Files.createDirectories(dataDirectory);
        IndexedH2Backend backend = IndexedH2Backend.open(dataDirectory.resolve("mongo.mv").toString(),
                options.noTableScan(), options.ttlInterval());
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(EmbeddedServers.LOOPBACK, port);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
        int boundPort = server.getLocalAddress().getPort();
        return new EmbeddedMongo(server, backend, "mongodb://" + EmbeddedServers.LOOPBACK + ":" + boundPort);
    }

    public String uri() {
        return uri;
    }

    /** Deletes what TTL indexes say has expired now, without waiting for the next sweep; returns how many. */
    public int sweepExpired() {
        return backend.sweepExpired();
    }

    /** Closes client connections and the H2 store, which writes its last changes to disk. */
    @Override
    public void close() {
        server.shutdown();
    }
}
