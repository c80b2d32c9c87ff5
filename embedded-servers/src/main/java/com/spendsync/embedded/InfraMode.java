package com.spendsync.embedded;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code SPENDSYNC_MODE=infra}: the embedded MongoDB-wire server and Redis alone, with no service, so that the
 * distributed mode's services (each {@code MONGODB_URI} and {@code REDIS_URL} pointing here) can be tried on one
 * machine without Docker. The same data directory and ports as the embedded default ({@code SPENDSYNC_DATA_DIR},
 * {@code SPENDSYNC_EMBEDDED_MONGO_PORT}, {@code SPENDSYNC_EMBEDDED_REDIS_PORT}), on loopback. Runs until the JVM is
 * told to stop (SIGTERM, Ctrl-C), then stops Redis and the MongoDB-wire server, which write their files.
 */
public final class InfraMode {

    public static final String SETTING = "SPENDSYNC_MODE";
    public static final String INFRA = "infra";

    private InfraMode() {
    }

    /** Whether the environment asks for infra mode; any other value than unset or {@value #INFRA} is refused. */
    public static boolean requested(Map<String, String> environment) {
        String mode = environment.get(SETTING);
        if (mode == null || mode.isBlank()) {
            return false;
        }
        if (!mode.trim().equals(INFRA)) {
            throw new IllegalArgumentException(SETTING + " must be unset or " + INFRA + ", not '" + mode + "'");
        }
        return true;
    }

    /** Starts both servers, prints the settings the services take ({@code MONGODB_URI=...}, {@code REDIS_URL=...}). */
    public static void run(Map<String, String> environment, PrintStream out) throws InterruptedException {
        EmbeddedServers servers = EmbeddedServers.start(environment::get, true, true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.destroy();
            stopped.countDown();
        }, "infra-mode-stop"));
        out.println("MONGODB_URI=" + servers.mongoUri());
        out.println("REDIS_URL=" + servers.redisUri());
        out.flush();
        stopped.await();
    }
}
