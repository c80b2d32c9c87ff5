package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStore.TxCounter;

/**
 * The reads of the store, each registered with MVStore for as long as it walks a version of the maps. MVStore frees a
 * chunk no current page lives in once no registered read needs it; a read that does not register (mongo-java-server's
 * H2 backend registers none) finds its next page gone after a few commits ("Chunk N not found"), the way H2's own
 * transactions avoid by registering. A cursor keeps its read until it is exhausted, killed, or idle for
 * {@link #CURSOR_TIMEOUT} (MongoDB's cursor timeout), so a cursor a client abandons cannot keep every later chunk.
 */
final class OpenReads {

    static final Duration CURSOR_TIMEOUT = Duration.ofMinutes(10);

    private final MVStore store;
    private final Map<Long, CursorRead> cursors = new ConcurrentHashMap<>();

    OpenReads(MVStore store) {
        this.store = store;
    }

    /** A read of the version current now, ended by {@link Read#close()}; a second close does nothing. */
    Read start() {
        return new Read(store, store.registerVersionUsage());
    }

    /** Runs a read that ends when the supplier returns. */
    <T> T during(Supplier<T> read) {
        try (Read ignored = start()) {
            return read.get();
        }
    }

    /** Hands a started read to a cursor, which ends it when exhausted, or else {@link #reap} does. */
    void keepFor(long cursorId, Read read) {
        cursors.put(cursorId, new CursorRead(read, System.nanoTime()));
    }

    void touched(long cursorId) {
        cursors.computeIfPresent(cursorId, (id, open) -> new CursorRead(open.read(), System.nanoTime()));
    }

    void exhausted(long cursorId) {
        CursorRead open = cursors.remove(cursorId);
        if (open != null) {
            open.read().close();
        }
    }

    /** Ends the reads of cursors the client killed or left idle too long; the latter are killed here, as MongoDB does. */
    int reap(CursorRegistry registry) {
        long now = System.nanoTime();
        int ended = 0;
        for (Map.Entry<Long, CursorRead> entry : cursors.entrySet()) {
            long cursorId = entry.getKey();
            boolean idle = now - entry.getValue().lastUse() > CURSOR_TIMEOUT.toNanos();
            if (idle) {
                registry.remove(cursorId);
            }
            if (idle || !registered(registry, cursorId)) {
                exhausted(cursorId);
                ended++;
            }
        }
        return ended;
    }

    private static boolean registered(CursorRegistry registry, long cursorId) {
        try {
            registry.getCursor(cursorId);
            return true;
        } catch (CursorNotFoundException e) {
            return false;
        }
    }

    private record CursorRead(Read read, long lastUse) {
    }

    static final class Read implements AutoCloseable {

        private final MVStore store;
        private final TxCounter version;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Read(MVStore store, TxCounter version) {
            this.store = store;
            this.version = version;
        }

        @Override
        public void close() {
            if (ended.compareAndSet(false, true)) {
                store.deregisterVersionUsage(version);
            }
        }
    }
}
