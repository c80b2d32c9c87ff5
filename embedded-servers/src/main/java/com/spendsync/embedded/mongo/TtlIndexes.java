package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TTL indexes (`expireAfterSeconds`) of a backend, swept like MongoDB's TTL monitor: a document whose indexed
 * date (the earliest, for an array) is older than the index's age is deleted through the collection's normal delete
 * path, so every index stays consistent. Documents whose field is not a date never expire.
 */
final class TtlIndexes {

    private static final Logger log = LoggerFactory.getLogger(TtlIndexes.class);

    private record Entry(IndexedH2Collection collection, OrderedIndex index) {
    }

    private final Map<OrderedIndex, Entry> entries = new ConcurrentHashMap<>();

    void register(IndexedH2Collection collection, OrderedIndex index) {
        entries.put(index, new Entry(collection, index));
    }

    void unregister(OrderedIndex index) {
        entries.remove(index);
    }

    /** Deletes what has expired; returns how many documents. */
    int sweep(Clock clock) {
        int deleted = 0;
        for (Entry entry : List.copyOf(entries.values())) {
            try {
                deleted += sweep(entry, clock.instant());
            } catch (RuntimeException e) {
                log.warn("TTL sweep of index {} on {} failed", entry.index.getName(), entry.collection.getFullName(), e);
            }
        }
        return deleted;
    }

    private static int sweep(Entry entry, Instant now) {
        String field = entry.index.fields().get(0);
        Instant cutoff = now.minusSeconds(entry.index.options().expireAfterSeconds());
        List<Object> expiredIds = new ArrayList<>();
        for (Document document : entry.collection.handleQuery(new Document(field, new Document("$lt", cutoff)))) {
            if (expired(Utils.getSubdocumentValueCollectionAware(document, field), cutoff)) {
                expiredIds.add(document.get("_id"));
            }
        }
        int deleted = 0;
        for (Object id : expiredIds) {
            deleted += entry.collection.deleteDocuments(new Document("_id", id), 1);
        }
        if (deleted > 0) {
            log.debug("TTL index {} on {} deleted {} documents", entry.index.getName(), entry.collection.getFullName(), deleted);
        }
        return deleted;
    }

    private static boolean expired(Object value, Instant cutoff) {
        if (value instanceof Instant date) {
            return date.isBefore(cutoff);
        }
        if (value instanceof Collection<?> values) {
            return values.stream().anyMatch(element -> element instanceof Instant date && date.isBefore(cutoff));
        }
        return false;
    }
}
