package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.CannotIndexParallelArraysError;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * A secondary index of the embedded server kept in the H2 store itself: one MVMap whose keys are the indexed values
 * plus the document's _id (see {@link IndexKeyType}), so it is walked in order for ranges and sorts and persists with
 * the data. Maintained through the library's index hooks on every insert, update, replace, upsert, findAndModify and
 * delete. It never answers the library's own index lookup ({@link #canHandle} is false): {@link QueryPlanner} uses it.
 */
final class OrderedIndex extends Index<Object> {

    private static final String ID_FIELD = "_id";
    private static final Object PRESENT = Boolean.TRUE;

    private final MVMap<Object[], Object> entries;
    private final IndexKeyType keyType;
    private final IndexProperties options;
    private final StoreState state;
    private final String mapName;
    private final TtlIndexes ttlIndexes;
    private volatile boolean multikey;

    OrderedIndex(String name, List<IndexKey> keys, IndexProperties options, MVMap<Object[], Object> entries,
                 IndexKeyType keyType, StoreState state, String mapName, TtlIndexes ttlIndexes) {
        super(name, keys, options.sparse());
        this.entries = entries;
        this.keyType = keyType;
        this.options = options;
        this.state = state;
        this.mapName = mapName;
        this.ttlIndexes = ttlIndexes;
        this.multikey = state.isMultikey(mapName);
    }

    static int[] directions(List<IndexKey> keys) {
        return keys.stream().mapToInt(key -> key.isAscending() ? 1 : -1).toArray();
    }

    /** A TTL index is a single-field index with `expireAfterSeconds`, as in MongoDB. */
    boolean isTtl() {
        return options.expireAfterSeconds() != null && keys().size() == 1;
    }

    void registerIfTtl(IndexedH2Collection collection) {
        if (isTtl()) {
            ttlIndexes.register(collection, this);
        }
    }

    IndexProperties options() {
        return options;
    }

    IndexKeyType keyType() {
        return keyType;
    }

    MVMap<Object[], Object> entries() {
        return entries;
    }

    /** Whether some document had an array in an indexed field: then a document has several entries. */
    boolean isMultikey() {
        return multikey;
    }

    List<String> fields() {
        return keys();
    }

    @Override
    public boolean isUnique() {
        return options.unique();
    }

    @Override
    public boolean hasSameOptions(Index<?> other) {
        return other instanceof OrderedIndex index && options.equals(index.options);
    }

    @Override
    public Document toIndexDescription() {
        Document description = super.toIndexDescription();
        if (options.partialFilter() != null) {
            description.put("partialFilterExpression", options.partialFilter());
        }
        if (options.expireAfterSeconds() != null) {
            description.put("expireAfterSeconds", options.expireAfterSeconds());
        }
        return description;
    }

    @Override
    public Object getPosition(Document document) {
        return position(document);
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        checkUnique(keysOf(document), position(document), collection);
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        Set<Object[]> keys = keysOf(document);
        checkUnique(keys, position, collection);
        for (Object[] key : keys) {
            entries.put(withPosition(key, position), PRESENT);
        }
    }

    @Override
    public Object remove(Document document) {
        Object position = position(document);
        for (Object[] key : keysOf(document)) {
            entries.remove(withPosition(key, position));
        }
        return position;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        checkUnique(keysOf(newDocument), position(oldDocument), collection);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position,
                              MongoCollection<Object> collection) {
        Set<Object[]> oldKeys = keysOf(oldDocument);
        Set<Object[]> newKeys = keysOf(newDocument);
        if (sameKeys(oldKeys, newKeys)) {
            return;
        }
        checkUnique(newKeys, position, collection);
        for (Object[] key : oldKeys) {
            entries.remove(withPosition(key, position));
        }
        for (Object[] key : newKeys) {
            entries.put(withPosition(key, position), PRESENT);
        }
    }

    @Override
    public boolean canHandle(Document query) {
        return false;
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        throw new UnsupportedOperationException("served by the query planner, not by the library's index lookup");
    }

    @Override
    public long getCount() {
        return entries.sizeAsLong();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public void drop() {
        entries.getStore().removeMap(entries);
        state.forget(mapName);
        ttlIndexes.unregister(this);
    }

    private void checkUnique(Set<Object[]> keys, Object position, MongoCollection<Object> collection) {
        if (!options.unique()) {
            return;
        }
        for (Object[] key : keys) {
            Object[] from = withPosition(key, IndexKeyType.LOWEST);
            Object[] to = withPosition(key, IndexKeyType.HIGHEST);
            Cursor<Object[], Object> cursor = entries.cursor(from, to, false);
            while (cursor.hasNext()) {
                Object[] existing = cursor.next();
                if (!Objects.equals(existing[key.length], position)) {
                    throw new DuplicateKeyError(this, collection, getKeys(), new KeyValue(Arrays.asList(key)));
                }
            }
        }
    }

    /** The value combinations this document is indexed under: none if sparse or partial excludes it. */
    Set<Object[]> keysOf(Document document) {
        List<String> fields = keys();
        if (options.sparse() && fields.stream().noneMatch(field -> present(document, field))) {
            return Set.of();
        }
        if (options.partialFilter() != null && !new DefaultQueryMatcher().matches(document, options.partialFilter())) {
            return Set.of();
        }
        List<List<Object>> valuesPerField = new ArrayList<>();
        String arrayField = null;
        for (String field : fields) {
            Object value = Utils.getSubdocumentValueCollectionAware(document, field);
            if (value instanceof Collection<?> collection) {
                if (arrayField != null) {
                    throw new CannotIndexParallelArraysError(List.of(arrayField, field));
                }
                arrayField = field;
                markMultikey();
                List<Object> elements = new ArrayList<>();
                for (Object element : collection) {
                    elements.add(Missing.isNullOrMissing(element) ? null : element);
                }
                // an empty array is indexed under null so a walk over the index still finds the document
                valuesPerField.add(elements.isEmpty() ? java.util.Collections.singletonList(null) : elements);
            } else {
                valuesPerField.add(java.util.Collections.singletonList(Missing.isNullOrMissing(value) ? null : value));
            }
        }
        Set<Object[]> keys = new LinkedHashSet<>();
        combine(valuesPerField, 0, new Object[fields.size()], keys);
        return keys;
    }

    private static void combine(List<List<Object>> valuesPerField, int field, Object[] current, Set<Object[]> out) {
        if (field == valuesPerField.size()) {
            out.add(current.clone());
            return;
        }
        for (Object value : valuesPerField.get(field)) {
            current[field] = value;
            combine(valuesPerField, field + 1, current, out);
        }
    }

    private boolean sameKeys(Set<Object[]> a, Set<Object[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<Object[]> left = a.iterator();
        Iterator<Object[]> right = b.iterator();
        while (left.hasNext()) {
            Object[] x = left.next();
            Object[] y = right.next();
            if (keyType.compareValues(x, y) != 0 || !Arrays.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    private void markMultikey() {
        if (!multikey) {
            multikey = true;
            state.markMultikey(mapName);
        }
    }

    private static boolean present(Document document, String field) {
        return !(Utils.getSubdocumentValueCollectionAware(document, field) instanceof Missing);
    }

    private static Object position(Document document) {
        return document.get(ID_FIELD);
    }

    private static Object[] withPosition(Object[] values, Object position) {
        Object[] key = Arrays.copyOf(values, values.length + 1);
        key[values.length] = position;
        return key;
    }
}
