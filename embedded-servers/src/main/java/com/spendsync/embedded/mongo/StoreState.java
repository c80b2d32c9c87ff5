package com.spendsync.embedded.mongo;

import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * What the indexed backend records in the H2 store beside the data: the format of its index maps, whether the last
 * run closed the store cleanly, and which indexes are multikey. Index maps are trusted only when the store was closed
 * cleanly by this format; otherwise (a crash between a document write and its index writes, an older or newer
 * format, or a store written by the stock H2Backend) every index is rebuilt from the documents at start.
 */
final class StoreState {

    /** Bump when the key layout of the index maps changes. */
    static final int FORMAT = 1;

    private static final String MAP_NAME = "spendsync.indexes.state";
    private static final String FORMAT_KEY = "format";
    private static final String CLEAN_KEY = "closedCleanly";
    private static final String MULTIKEY_PREFIX = "multikey:";

    private final MVMap<String, Object> map;
    private final boolean indexesTrusted;

    private StoreState(MVMap<String, Object> map, boolean indexesTrusted) {
        this.map = map;
        this.indexesTrusted = indexesTrusted;
    }

    /** Reads what the last run left and marks the store as in use, durably, before any index is touched. */
    static StoreState open(MVStore store) {
        MVMap<String, Object> map = store.openMap(MAP_NAME);
        boolean trusted = Integer.valueOf(FORMAT).equals(map.get(FORMAT_KEY)) && Boolean.TRUE.equals(map.get(CLEAN_KEY));
        if (!trusted) {
            List.copyOf(map.keySet()).stream().filter(key -> key.startsWith(MULTIKEY_PREFIX)).forEach(map::remove);
        }
        map.put(FORMAT_KEY, FORMAT);
        map.put(CLEAN_KEY, Boolean.FALSE);
        store.commit();
        return new StoreState(map, trusted);
    }

    boolean indexesTrusted() {
        return indexesTrusted;
    }

    boolean isMultikey(String indexMapName) {
        return Boolean.TRUE.equals(map.get(MULTIKEY_PREFIX + indexMapName));
    }

    void markMultikey(String indexMapName) {
        map.put(MULTIKEY_PREFIX + indexMapName, Boolean.TRUE);
    }

    void forget(String indexMapName) {
        map.remove(MULTIKEY_PREFIX + indexMapName);
    }

    /** Called last before the store closes: the index maps written in this run may be trusted next time. */
    void markClosedCleanly() {
        map.put(CLEAN_KEY, Boolean.TRUE);
    }
}
