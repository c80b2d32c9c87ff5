package com.spendsync.embedded.mongo;

import com.spendsync.embedded.mongo.QueryPlanner.IdLookup;
import com.spendsync.embedded.mongo.QueryPlanner.IndexScan;
import com.spendsync.embedded.mongo.QueryPlanner.Plan;
import com.spendsync.embedded.mongo.QueryPlanner.Union;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ProjectionAccess;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.Json;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * A collection of the indexed backend: every read that names a filter or a sort (find, count, distinct, the
 * documents an update, delete or findAndModify acts on, the first stages of an aggregation) goes through
 * {@link QueryPlanner}, and a read in index order is handed out lazily, so `limit`, `batchSize` and cursors stop early.
 */
final class IndexedH2Collection extends H2Collection {

    /** MongoDB's code and name for a query refused under notablescan. */
    static final int NO_QUERY_EXECUTION_PLANS = 291;

    private static final Set<String> SYSTEM_DATABASES = Set.of("admin", "local", "config");

    private final Settings settings;
    private final OpenReads reads;
    private String distinctKey;

    IndexedH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                        MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry,
                        Settings settings, OpenReads reads) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        this.settings = settings;
        this.reads = reads;
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                         Document fieldSelector) {
        if (isNaturalOrder(orderBy)) {
            refuseScan(query, orderBy);
            return reads.during(() -> super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector));
        }
        OpenReads.Read read = reads.start();
        boolean keptByCursor = false;
        try {
            Stream<Document> documents = execute(query, orderBy, true).documents();
            if (numberToSkip > 0) {
                documents = documents.skip(numberToSkip);
            }
            if (limit > 0) {
                documents = documents.limit(limit);
            }
            if (fieldSelector != null && !fieldSelector.isEmpty()) {
                UnaryOperator<Document> projection = ProjectionAccess.projection(fieldSelector, getIdField());
                documents = documents.map(projection);
            }
            Iterator<Document> iterator = documents.iterator();
            List<Document> firstBatch = take(iterator, batchSize);
            if (!iterator.hasNext()) {
                return new QueryResult(firstBatch);
            }
            LazyCursor cursor = new LazyCursor(cursorRegistry.generateCursorId(), iterator, this, reads);
            cursorRegistry.add(cursor);
            reads.keepFor(cursor.getId(), read);
            keptByCursor = true;
            return new QueryResult(firstBatch, cursor);
        } finally {
            if (!keptByCursor) {
                read.close();
            }
        }
    }

    @Override
    public synchronized void addIndex(Index<Object> index) {
        // an index built on existing data walks the whole collection
        reads.during(() -> {
            super.addIndex(index);
            return null;
        });
        if (index instanceof OrderedIndex ordered && getIndexes().contains(ordered)) {
            ordered.registerIfTtl(this);
        }
    }

    /** The library drops the indexes it has descriptions of; the ordered twin of _id has none, so it goes here. */
    @Override
    public synchronized void drop() {
        if (getIndexes().stream().anyMatch(index -> index.getName().equals(IndexedH2Database.ORDERED_ID_INDEX_NAME))) {
            dropIndex(IndexedH2Database.ORDERED_ID_INDEX_NAME);
        }
        super.drop();
    }

    @Override
    public synchronized Document handleDistinct(Document query) {
        // plans the distinct's filter as if sorted by its key, so an index on the key serves an unfiltered distinct
        distinctKey = (String) query.get("key");
        try {
            return super.handleDistinct(query);
        } finally {
            distinctKey = null;
        }
    }

    /** A count whose filter an index says exactly counts index entries, reading no document. */
    @Override
    public synchronized int count(Document query, int skip, int limit) {
        return reads.during(() -> countThroughIndex(query, skip, limit));
    }

    private int countThroughIndex(Document query, int skip, int limit) {
        Plan plan = query == null || query.isEmpty() ? null : QueryPlanner.plan(query, null, orderedIndexes());
        if (!(plan instanceof IndexScan scan && scan.exact())) {
            return super.count(query, skip, limit);
        }
        Counters counters = new Counters();
        long entries = intervals(scan).mapToLong(interval -> walk(scan, interval, counters).count()).sum();
        long counted = Math.max(0, entries - Math.max(skip, 0));
        return (int) (limit > 0 ? Math.min(limit, counted) : counted);
    }

    /** The documents a pipeline's leading $match, $sort and $limit select, read through the planner. */
    synchronized List<Document> pipelineSource(Document match, Document sort, long limit) {
        return reads.during(() -> {
            Stream<Document> documents = execute(match, sort, true).documents();
            return (limit > 0 ? documents.limit(limit) : documents).toList();
        });
    }

    /** The plan MongoDB's explain would show, with the counts of keys and documents the query examined. */
    synchronized Document explain(Document query, Document sort, int skip, int limit, String distinctOf) {
        return reads.during(() -> explainWithin(query, sort, skip, limit, distinctOf));
    }

    private Document explainWithin(Document query, Document sort, int skip, int limit, String distinctOf) {
        distinctKey = distinctOf;
        Execution execution;
        try {
            execution = execute(query, sort, false);
        } finally {
            distinctKey = null;
        }
        Stream<Document> documents = execution.documents().skip(Math.max(skip, 0));
        if (limit > 0) {
            documents = documents.limit(limit);
        }
        long returned = documents.count();
        Document queryPlanner = new Document("namespace", getFullName())
                .append("parsedQuery", query == null ? new Document() : query)
                .append("winningPlan", describe(execution.plan(), sort));
        Document stats = new Document("nReturned", returned)
                .append("totalKeysExamined", execution.counters().keys)
                .append("totalDocsExamined", execution.counters().documents);
        return new Document("queryPlanner", queryPlanner).append("executionStats", stats);
    }

    private record Execution(Plan plan, Stream<Document> documents, Counters counters) {
    }

    private static final class Counters {
        long keys;
        long documents;
    }

    private Execution execute(Document query, Document orderBy, boolean refuseScan) {
        Document filter = query == null ? new Document() : query;
        boolean sorted = orderBy != null && !orderBy.isEmpty();
        Document planningSort = sorted || distinctKey == null ? orderBy : new Document(distinctKey, 1);
        Plan plan = QueryPlanner.plan(filter, planningSort, orderedIndexes());
        if (plan instanceof IdLookup && idIndex() == null) {
            plan = null;
        }
        if (plan == null && refuseScan) {
            refuseScan(filter, orderBy);
        }
        Counters counters = new Counters();
        Stream<Document> documents = plan == null
                ? streamAllDocumentsWithPosition().map(DocumentWithPosition::getDocument)
                : positions(plan, counters).map(position -> getDocument(Missing.ofNullable(position)))
                        .filter(Objects::nonNull);
        documents = documents.peek(document -> counters.documents++)
                .filter(document -> documentMatchesQuery(document, filter));
        if (sorted && !(plan instanceof IndexScan scan && scan.providesSort())) {
            documents = documents.sorted(new DocumentComparator(orderBy));
        }
        return new Execution(plan, documents, counters);
    }

    private Stream<Object> positions(Plan plan, Counters counters) {
        if (plan instanceof IdLookup lookup) {
            Index<Object> idIndex = idIndex();
            return lookup.ids().stream()
                    .flatMap(id -> StreamSupport.stream(idIndex.getPositions(new Document(ID, id)).spliterator(), false));
        }
        if (plan instanceof IndexScan scan) {
            Stream<Object> positions = walk(scan, counters);
            return scan.index().isMultikey() ? positions.distinct() : positions;
        }
        return ((Union) plan).branches().stream().flatMap(branch -> positions(branch, counters)).distinct();
    }

    private static Stream<Integer> intervals(IndexScan scan) {
        int count = scan.from().size();
        return Stream.iterate(0, i -> i < count, i -> i + 1).map(i -> scan.forward() ? i : count - 1 - i);
    }

    /**
     * The positions of all the scan's intervals in walking order, pulled one index entry at a time (a flatMap over
     * the intervals would read a whole interval at the first pull of a cursor's iterator).
     */
    private static Stream<Object> walk(IndexScan scan, Counters counters) {
        List<Integer> order = intervals(scan).toList();
        Iterator<Object> positions = new Iterator<>() {
            private int next;
            private Iterator<Object> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < order.size()) {
                    current = walk(scan, order.get(next++), counters).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(positions, Spliterator.ORDERED), false);
    }

    private static Stream<Object> walk(IndexScan scan, int interval, Counters counters) {
        MVMap<Object[], Object> entries = scan.index().entries();
        Object[] from = scan.from().get(interval);
        Object[] to = scan.to().get(interval);
        Cursor<Object[], Object> cursor = scan.forward() ? entries.cursor(from, to, false) : entries.cursor(to, from, true);
        int positionAt = from.length - 1;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(cursor, Spliterator.ORDERED), false)
                .map(key -> {
                    counters.keys++;
                    return key[positionAt];
                });
    }

    private List<OrderedIndex> orderedIndexes() {
        List<OrderedIndex> indexes = new ArrayList<>();
        for (Index<Object> index : getIndexes()) {
            if (index instanceof OrderedIndex ordered) {
                indexes.add(ordered);
            }
        }
        return indexes;
    }

    private Index<Object> idIndex() {
        for (Index<Object> index : getIndexes()) {
            List<IndexKey> keys = index.getKeys();
            if (!(index instanceof OrderedIndex) && keys.size() == 1 && keys.get(0).getKey().equals(ID)) {
                return index;
            }
        }
        return null;
    }

    private void refuseScan(Document query, Document orderBy) {
        if (!settings.noTableScan() || isEmpty() || SYSTEM_DATABASES.contains(getDatabaseName())
                || getCollectionName().startsWith("system.")) {
            return;
        }
        throw new MongoServerError(NO_QUERY_EXECUTION_PLANS, "NoQueryExecutionPlans",
                "error processing query: ns=" + getFullName() + " Tree: " + json(query) + " Sort: " + json(orderBy)
                        + " planner returned error :: caused by :: No indexed plans available,"
                        + " and running with 'notablescan'");
    }

    private static String json(Document document) {
        return document == null || document.isEmpty() ? "{}" : Json.toCompactJsonValue(document);
    }

    private static boolean isNaturalOrder(Document orderBy) {
        return orderBy != null && orderBy.containsKey("$natural");
    }

    private static List<Document> take(Iterator<Document> iterator, int count) {
        List<Document> batch = new ArrayList<>();
        while ((count <= 0 || batch.size() < count) && iterator.hasNext()) {
            batch.add(iterator.next());
        }
        return batch;
    }

    private Document describe(Plan plan, Document sort) {
        if (plan == null) {
            return new Document("stage", "COLLSCAN").append("direction", "forward");
        }
        Document stage;
        if (plan instanceof IdLookup) {
            stage = new Document("stage", "IDHACK");
        } else if (plan instanceof IndexScan scan) {
            stage = new Document("stage", "FETCH").append("inputStage", describeScan(scan));
        } else {
            stage = new Document("stage", "FETCH").append("inputStage", new Document("stage", "OR")
                    .append("inputStages", ((Union) plan).branches().stream().map(branch -> describe(branch, null)).toList()));
        }
        boolean sorted = sort != null && !sort.isEmpty();
        if (sorted && !(plan instanceof IndexScan scan && scan.providesSort())) {
            return new Document("stage", "SORT").append("sortPattern", sort).append("inputStage", stage);
        }
        return stage;
    }

    private static Document describeScan(IndexScan scan) {
        Document keyPattern = new Document();
        scan.index().getKeys().forEach(key -> keyPattern.append(key.getKey(), key.isAscending() ? 1 : -1));
        return new Document("stage", "IXSCAN")
                .append("keyPattern", keyPattern)
                .append("indexName", scan.index().getName())
                .append("isMultiKey", scan.index().isMultikey())
                .append("isUnique", scan.index().isUnique())
                .append("direction", scan.forward() ? "forward" : "backward")
                .append("intervals", scan.from().size());
    }

    private static final String ID = "_id";

    /**
     * The rest of a query read in index order, taken batch by batch under the collection's lock; its read of the store
     * ends when it is exhausted (or when {@link OpenReads#reap} finds it killed or idle).
     */
    private static final class LazyCursor extends AbstractCursor {

        private final Iterator<Document> remaining;
        private final Object lock;
        private final OpenReads reads;

        LazyCursor(long id, Iterator<Document> remaining, Object lock, OpenReads reads) {
            super(id);
            this.remaining = remaining;
            this.lock = lock;
            this.reads = reads;
        }

        @Override
        public boolean isEmpty() {
            synchronized (lock) {
                return !remaining.hasNext();
            }
        }

        @Override
        public List<Document> takeDocuments(int numberToReturn) {
            synchronized (lock) {
                reads.touched(id);
                List<Document> batch = take(remaining, numberToReturn);
                if (!remaining.hasNext()) {
                    reads.exhausted(id);
                }
                return batch;
            }
        }
    }
}
