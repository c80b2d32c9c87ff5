package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
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
    private static final Duration COMPACTION_BUDGET = Duration.ofMinutes(2);
    private static final int COMPACTION_STEP_BYTES = 64 << 20;
    private static final int MAX_FRUITLESS_STEPS = 20;

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
        MVStore store = new MVStore.Builder().fileName(fileName).open();
        StoreState state = StoreState.open(store);
        if (!state.indexesTrusted()) {
            log.info("Rebuilding the indexes of {}: the store was not closed cleanly by this index format", fileName);
        }
        StoreContext context = new StoreContext(store, state, new Settings(noTableScan), new TtlIndexes(),
                new OpenReads(store));
        long started = System.nanoTime();
        IndexedH2Backend backend = StoreContext.during(context, () -> new IndexedH2Backend(store, context));
        backend.compactBeforeUse(fileName);
        // only now: a sweep is a read and a delete, which must not meet the compaction above
        long interval = Math.max(1, ttlInterval.toMillis());
        backend.maintenance.scheduleWithFixedDelay(backend::sweepExpired, interval, interval, TimeUnit.MILLISECONDS);
        backend.maintenance.scheduleWithFixedDelay(backend::endAbandonedReads, 1, 1, TimeUnit.MINUTES);
        log.info("Opened {} in {} ms (indexes {})", fileName, (System.nanoTime() - started) / 1_000_000,
                state.indexesTrusted() ? "as stored" : "rebuilt");
        return backend;
    }

    /**
     * Compacts the store before anything reads it, and gives free space back to the file system, which compaction
     * in the background does not do: when its chunks hold
     * less than {@link #COMPACT_BELOW_FILL_RATE}% live data, or its chunks less than that share of the file, for at
     * most {@link #COMPACTION_BUDGET} of rewriting partly dead chunks, then chunks are moved together and the file
     * truncated. Every map is open by now, with its own data types, as compaction needs.
     */
    private void compactBeforeUse(String fileName) {
        FileStore<?> file = getMvStore().getFileStore();
        int liveInChunks = file.getChunksFillRate();
        int chunksInFile = file.getFillRate();
        log.debug("Store {} at start: {}% live in chunks, chunks {}% of the file", fileName, liveInChunks, chunksInFile);
        if (liveInChunks < COMPACT_BELOW_FILL_RATE || chunksInFile < COMPACT_BELOW_FILL_RATE) {
            compact(fileName, file, liveInChunks, chunksInFile);
        }
    }

    private void compact(String fileName, FileStore<?> file, int liveInChunks, int chunksInFile) {
        MVStore store = getMvStore();
        long started = System.nanoTime();
        long sizeBefore = file.size();
        long deadline = started + COMPACTION_BUDGET.toNanos();
        // Nothing reads old versions yet, so no chunk needs to outlive the retention time, nor the last versions that
        // MVStore keeps for readers that do not register (compaction would leave alone the chunks written within the
        // one, and could not free those emptied within the other: the last run's background compaction empties
        // chunks up to its close); the running store gets both back.
        int retention = store.getRetentionTime();
        int versionsToKeep = store.getVersionsToKeep();
        store.setRetentionTime(0);
        store.setVersionsToKeep(0);
        try {
            rewriteAndMove(store, file, deadline);
        } finally {
            store.setVersionsToKeep(versionsToKeep);
            store.setRetentionTime(retention);
        }
        log.info("Compacted {} from {} MB ({}% live in chunks, chunks {}% of the file) to {} MB ({}%, {}%) in {} ms",
                fileName, sizeBefore >> 20, liveInChunks, chunksInFile, file.size() >> 20,
                file.getChunksFillRate(), file.getFillRate(), (System.nanoTime() - started) / 1_000_000);
    }

    private static void rewriteAndMove(MVStore store, FileStore<?> file, long deadline) {
        // as H2 compacts a file on request: rewrite the emptiest chunks, then move chunks over the free space
        // before them and truncate the file; within the budget, until steps stop gaining anything (a step may
        // find nothing to rewrite until the chunks emptied before are freed; a small store may stay below the
        // fill rate whatever is rewritten)
        int fruitless = 0;
        while (fruitless < MAX_FRUITLESS_STEPS && System.nanoTime() < deadline) {
            long size = file.size();
            int fill = file.getChunksFillRate();
            store.compact(COMPACT_BELOW_FILL_RATE, COMPACTION_STEP_BYTES);
            store.commit();
            // with no retention, freed space is written over at once: on disk first, so a power loss
            // mid-compaction leaves the last commit readable
            store.sync();
            if (file instanceof RandomAccessStore blocks) {
                blocks.compactMoveChunks(100, Long.MAX_VALUE, store);
            }
            boolean gained = file.size() < size || file.getChunksFillRate() > fill;
            fruitless = gained ? 0 : fruitless + 1;
        }
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
