package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreTool;
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
    private static final int COMPACT_BELOW_FILL_RATE = 50;

    private final StoreContext context;
    private final ScheduledExecutorService maintenance;

    private IndexedH2Backend(MVStore store, StoreContext context) {
        super(store);
        this.context = context;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-mongo-maintenance");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens (or creates) the store in this file, written by this backend or by the stock H2Backend of
     * mongo-java-server 1.47.0.
     *
     * @param noTableScan refuse, like MongoDB's notablescan, a read that no index serves
     * @param ttlInterval how often documents of TTL indexes are checked for expiry (MongoDB: a minute)
     */
    public static IndexedH2Backend open(String fileName, boolean noTableScan, Duration ttlInterval) {
        // H2 compacts in the background as it writes; every read registers the version it walks (OpenReads), so
        // that compaction never frees a chunk a read still needs
        compactWhenMostlyFree(fileName);
        MVStore store = new MVStore.Builder().fileName(fileName).open();
        StoreState state = StoreState.open(store);
        if (!state.indexesTrusted()) {
            log.info("Rebuilding the indexes of {}: the store was not closed cleanly by this index format", fileName);
        }
        StoreContext context = new StoreContext(store, state, new Settings(noTableScan), new TtlIndexes(),
                new OpenReads(store));
        long started = System.nanoTime();
        IndexedH2Backend backend = StoreContext.during(context, () -> new IndexedH2Backend(store, context));
        long interval = Math.max(1, ttlInterval.toMillis());
        backend.maintenance.scheduleWithFixedDelay(backend::sweepExpired, interval, interval, TimeUnit.MILLISECONDS);
        backend.maintenance.scheduleWithFixedDelay(backend::endAbandonedReads, 1, 1, TimeUnit.MINUTES);
        log.info("Opened {} in {} ms (indexes {})", fileName, (System.nanoTime() - started) / 1_000_000,
                state.indexesTrusted() ? "as stored" : "rebuilt");
        return backend;
    }

    /**
     * Rewrites the file with its live pages only, before anything opens it, when its chunks hold less than
     * {@link #COMPACT_BELOW_FILL_RATE}% live data or fill less than that share of the file: H2's offline compaction
     * (a copy to a temporary file, then an atomic rename; a copy a crash cut short is dropped first). Compaction in
     * the background reuses free space but does not give the file back.
     */
    private static void compactWhenMostlyFree(String fileName) {
        MVStoreTool.compactCleanUp(fileName);
        Path path = Path.of(fileName);
        if (!Files.isRegularFile(path) || path.toFile().length() == 0) {
            return;
        }
        int liveInChunks;
        int chunksInFile;
        try (MVStore closed = new MVStore.Builder().fileName(fileName).readOnly().open()) {
            liveInChunks = closed.getFileStore().getChunksFillRate();
            chunksInFile = closed.getFileStore().getFillRate();
        }
        if (liveInChunks >= COMPACT_BELOW_FILL_RATE && chunksInFile >= COMPACT_BELOW_FILL_RATE) {
            return;
        }
        long started = System.nanoTime();
        long sizeBefore = path.toFile().length();
        MVStore.compact(fileName, false, null);
        log.info("Compacted {} from {} MB ({}% live in chunks, chunks {}% of the file) to {} MB in {} ms", fileName,
                sizeBefore >> 20, liveInChunks, chunksInFile, path.toFile().length() >> 20,
                (System.nanoTime() - started) / 1_000_000);
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

    /** Ends the reads of cursors that were killed or stayed idle for longer than MongoDB's cursor timeout. */
    int endAbandonedReads() {
        return context.reads().reap(getCursorRegistry());
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        try {
            maintenance.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!getMvStore().isClosed()) {
            context.state().markClosedCleanly();
        }
        super.close();
    }
}
