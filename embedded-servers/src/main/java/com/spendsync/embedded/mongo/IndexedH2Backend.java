package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mongo-java-server's H2 backend with real secondary indexes (see docs/architecture.md, "The embedded MongoDB-wire
 * server"): ordered indexes kept in the same MVStore file as the documents, trusted at start only after a clean close
 * by the same index format and rebuilt otherwise; a query planner using them; TTL indexes swept in the background;
 * and, on request, MongoDB's notablescan: a query no index serves fails instead of scanning.
 */
public final class IndexedH2Backend extends H2Backend {

    private static final Logger log = LoggerFactory.getLogger(IndexedH2Backend.class);

    private final StoreContext context;
    private final ScheduledExecutorService ttlMonitor;

    private IndexedH2Backend(MVStore store, StoreContext context, Duration ttlInterval) {
        super(store);
        this.context = context;
        this.ttlMonitor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-mongo-ttl-monitor");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(1, ttlInterval.toMillis());
        ttlMonitor.scheduleWithFixedDelay(this::sweepExpired, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (or creates) the store in this file, written by this backend or by the stock H2Backend of
     * mongo-java-server 1.47.0.
     *
     * @param noTableScan refuse, like MongoDB's notablescan, a read that no index serves
     * @param ttlInterval how often documents of TTL indexes are checked for expiry (MongoDB: a minute)
     */
    public static IndexedH2Backend open(String fileName, boolean noTableScan, Duration ttlInterval) {
        MVStore store = MVStore.open(fileName);
        StoreState state = StoreState.open(store);
        if (!state.indexesTrusted()) {
            log.info("Rebuilding the indexes of {}: the store was not closed cleanly by this index format", fileName);
        }
        StoreContext context = new StoreContext(store, state, new Settings(noTableScan), new TtlIndexes());
        long started = System.nanoTime();
        IndexedH2Backend backend = StoreContext.during(context, () -> new IndexedH2Backend(store, context, ttlInterval));
        log.info("Opened {} in {} ms (indexes {})", fileName, (System.nanoTime() - started) / 1_000_000,
                state.indexesTrusted() ? "as stored" : "rebuilt");
        return backend;
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        StoreContext current = StoreContext.of(context);
        return StoreContext.during(current, () -> new IndexedH2Database(databaseName, getCursorRegistry(), current));
    }

    /** Whether this start rebuilt the indexes from the documents instead of trusting the stored ones. */
    public boolean indexesRebuiltAtStart() {
        return !context.state().indexesTrusted();
    }

    /** Deletes the documents TTL indexes say have expired; returns how many. */
    public int sweepExpired() {
        if (getMvStore().isClosed()) {
            return 0;
        }
        return context.ttlIndexes().sweep(getClock());
    }

    @Override
    public void close() {
        ttlMonitor.shutdownNow();
        try {
            ttlMonitor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!getMvStore().isClosed()) {
            context.state().markClosedCleanly();
        }
        super.close();
    }
}
