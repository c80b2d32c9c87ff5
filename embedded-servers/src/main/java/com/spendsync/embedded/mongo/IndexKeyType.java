package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.backend.ValueComparator;
import java.nio.ByteBuffer;
import java.util.Comparator;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

/**
 * The keys of an ordered index in its MVMap: the indexed values in the index's field order followed by the
 * document's position (its _id), so every entry is unique and documents with equal values sit side by side.
 * Values compare in the library's BSON order (the order its matcher and its in-memory sort use, numbers numerically
 * across int/long/double), each field turned by its direction; the position compares ascending. Stored with H2's
 * own object serialisation.
 */
final class IndexKeyType extends BasicDataType<Object[]> {

    /** A search key element below every stored value in key order (after the field's direction). */
    static final Object LOWEST = new Sentinel("LOWEST", -1);
    /** A search key element above every stored value in key order. */
    static final Object HIGHEST = new Sentinel("HIGHEST", 1);

    private static final Comparator<Object> BSON_ORDER = ValueComparator.ascWithoutListHandling();

    private final int[] directions;
    private final ObjectDataType serialization = new ObjectDataType();

    IndexKeyType(int[] directions) {
        this.directions = directions.clone();
    }

    @Override
    public int compare(Object[] a, Object[] b) {
        int length = Math.min(a.length, b.length);
        for (int i = 0; i < length; i++) {
            int cmp = compareElement(a[i], b[i], i < directions.length ? directions[i] : 1);
            if (cmp != 0) {
                return cmp;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    /** Compares the indexed values only (not the position), in key order. */
    int compareValues(Object[] a, Object[] b) {
        for (int i = 0; i < directions.length; i++) {
            int cmp = compareElement(a[i], b[i], directions[i]);
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    }

    private static int compareElement(Object x, Object y, int direction) {
        if (x instanceof Sentinel || y instanceof Sentinel) {
            return Integer.compare(rank(x), rank(y));
        }
        return BSON_ORDER.compare(x, y) * direction;
    }

    private static int rank(Object value) {
        return value instanceof Sentinel sentinel ? sentinel.rank : 0;
    }

    @Override
    public int getMemory(Object[] key) {
        return 24 + 48 * key.length;
    }

    @Override
    public void write(WriteBuffer buffer, Object[] key) {
        serialization.write(buffer, (Object) key);
    }

    @Override
    public Object[] read(ByteBuffer buffer) {
        return (Object[]) serialization.read(buffer);
    }

    @Override
    public Object[][] createStorage(int size) {
        return new Object[size][];
    }

    private record Sentinel(String name, int rank) {
    }
}
