package com.spendsync.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The MongoDB-wire server of the embedded default, keeping its data in an H2 file under the data directory. */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final String uri;

    private EmbeddedMongo(MongoServer server, String uri) {
        this.server = server;
        this.uri = uri;
    }

    public static EmbeddedMongo start(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        MongoServer server = new MongoServer(new H2Backend(dataDirectory.resolve("mongo.mv").toString()));
        server.bind(EmbeddedServers.LOOPBACK, port);
        int boundPort = server.getLocalAddress().getPort();
        return new EmbeddedMongo(server, "mongodb://" + EmbeddedServers.LOOPBACK + ":" + boundPort);
    }

    public String uri() {
        return uri;
    }

    /** Closes client connections and the H2 store, which writes its last changes to disk. */
    @Override
    public void close() {
        server.shutdown();
    }
}
