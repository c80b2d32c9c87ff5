package com.spendsync.embedded.mongo;

import java.util.function.Supplier;
import org.h2.mvstore.MVStore;

/**
 * What the backend's databases, collections and indexes share. The library's H2Backend and H2Database constructors
 * open every existing database, collection and index before a subclass's fields are assigned, so during those
 * constructors this context travels in a thread-local set around them ({@link #during}); afterwards it is a field.
 */
record StoreContext(MVStore store, StoreState state, Settings settings, TtlIndexes ttlIndexes, OpenReads reads) {

    private static final ThreadLocal<StoreContext> OPENING = new ThreadLocal<>();

    static <T> T during(StoreContext context, Supplier<T> constructor) {
        StoreContext previous = OPENING.get();
        OPENING.set(context);
        try {
            return constructor.get();
        } finally {
            if (previous == null) {
                OPENING.remove();
            } else {
                OPENING.set(previous);
            }
        }
    }

    /** The context of an object whose own field may not be assigned yet. */
    static StoreContext of(StoreContext field) {
        StoreContext context = field != null ? field : OPENING.get();
        if (context == null) {
            throw new IllegalStateException("indexed H2 objects are created through IndexedH2Backend.open");
        }
        return context;
    }
}
