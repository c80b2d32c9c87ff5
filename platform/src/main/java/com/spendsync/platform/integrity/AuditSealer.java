package com.spendsync.platform.integrity;

import com.spendsync.platform.concurrent.BackgroundSchedule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Seals the chains this process moved, every interval and once more when it stops (docs/architecture.md,
 * "Tamper-evident audit trail"): signs the heads, stores the seal as the next of the seal chain (signing again after
 * the newest if another instance took the place first), appends it to the seal file and posts it to the webhook, so
 * copies live outside the database. Runs on a thread of its own; appends only record their heads.
 */
public class AuditSealer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditSealer.class);
    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FINAL_SEAL_TIMEOUT = Duration.ofSeconds(5);

    private final MovedChains moved;
    private final SealStore store;
    private final SigningKey key;
    private final String node;
    private final Clock clock;
    private final Duration interval;
    private final Path sealFile;
    private final URI webhook;
    private final HttpClient http;
    private ScheduledExecutorService schedule;

    public AuditSealer(MovedChains moved, SealStore store, SigningKey key, String node, Clock clock, Duration interval,
                       Path sealFile, URI webhook) {
        this.moved = moved;
        this.store = store;
        this.key = key;
        this.node = node;
        this.clock = clock;
        this.interval = interval;
        this.sealFile = sealFile;
        this.webhook = webhook;
        this.http = webhook == null ? null : HttpClient.newBuilder().connectTimeout(WEBHOOK_TIMEOUT).build();
    }

    /** Seals what moved since the last seal; returns the seal, or null when nothing moved. */
    public synchronized Seal sealNow() {
        List<Seal.SealedHead> heads = moved.take();
        if (heads.isEmpty()) {
            return null;
        }
        Seal seal;
        try {
            seal = store.append(heads, false, node, key, clock);
        } catch (RuntimeException e) {
            moved.giveBack(heads);
            throw e;
        }
        copyOutside(seal);
        return seal;
    }

    private void copyOutside(Seal seal) {
        String line = SealJson.write(seal) + "\n";
        if (sealFile != null) {
            try {
                Files.createDirectories(sealFile.toAbsolutePath().getParent());
                try (FileChannel file = FileChannel.open(sealFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
                    file.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
                    file.force(true);
                }
            } catch (IOException e) {
                log.warn("Seal {} is stored but could not be appended to {}: {}", seal.sequence(), sealFile, e.toString());
            }
        }
        if (http != null) {
            HttpRequest request = HttpRequest.newBuilder(webhook).timeout(WEBHOOK_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(line.strip())).build();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                if (failure != null || response.statusCode() >= 300) {
                    log.warn("Seal {} was not accepted by the seal webhook: {}", seal.sequence(),
                            failure != null ? failure.toString() : "HTTP " + response.statusCode());
                }
            });
        }
    }

    private void sealQuietly() {
        try {
            sealNow();
        } catch (RuntimeException e) {
            log.warn("Sealing failed, the heads wait for the next seal: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        schedule = BackgroundSchedule.named("audit-sealer");
        long millis = interval.toMillis();
        schedule.scheduleWithFixedDelay(this::sealQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * The last seal: after everything else that appends has stopped, before the MongoDB client closes; bounded, so
     * that a database out of reach cannot hold up the stop (the heads moved since the last seal then stay unsealed,
     * and a check says so).
     */
    @Override
    public void stop() {
        ScheduledExecutorService running;
        synchronized (this) {
            running = schedule;
            schedule = null;
        }
        if (running == null) {
            return;
        }
        running.execute(this::sealQuietly);
        running.shutdown();
        try {
            if (!running.awaitTermination(FINAL_SEAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("The last seal was not made within {}: the chains moved since the seal before stay unsealed",
                        FINAL_SEAL_TIMEOUT);
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.shutdownNow();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return schedule != null;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
