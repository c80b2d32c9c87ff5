package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;

/**
 * A database of the indexed backend: its collections are {@link IndexedH2Collection}s and its indexes, unique or not,
 * are {@link OrderedIndex}es, except the _id index, which stays the library's (with an ordered twin for ranges and
 * sorts on _id). It also answers `explain` and runs an
 * aggregation's leading $match/$sort/$limit through the planner.
 */
final class IndexedH2Database extends H2Database {

    // H2Database's names for a collection's maps, which are the store's format, so a stock store opens as it is
    private static final String DATA_MAP_PREFIX = "databases.";
    private static final String META_MAP_PREFIX = "meta.";
    private static final String STOCK_INDEX_MAP_INFIX = "._index_";
    private static final String ORDERED_INDEX_MAP_INFIX = "._ordered_index_";
    static final String ORDERED_ID_INDEX_NAME = "_id_ordered";

    private final StoreContext context;
    /** The description of the index being created, which the library's hook does not pass on. */
    private Document describing;

    IndexedH2Database(String databaseName, CursorRegistry cursorRegistry, StoreContext context) {
        super(databaseName, context.store(), cursorRegistry);
        this.context = context;
    }

    private StoreContext context() {
        return StoreContext.of(context);
    }

    /** True while the library's constructor opens what the store holds, before this object's fields are set. */
    private boolean opening() {
        return context == null;
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        StoreContext store = context();
        String namespace = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = store.store().openMap(DATA_MAP_PREFIX + namespace);
        MVMap<String, Object> metaMap = store.store().openMap(META_MAP_PREFIX + namespace);
        return new IndexedH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry,
                store.settings(), store.reads());
    }

    @Override
    protected synchronized void addIndex(Document indexDescription) {
        // nested when the collection is new: creating it adds its _id index first
        Document outer = describing;
        describing = indexDescription;
        try {
            super.addIndex(indexDescription);
        } finally {
            describing = outer;
        }
    }

    /**
     * The library's _id index answers point reads only; MongoDB's serves ranges and sorts on _id too (a walk in
     * insertion order of ObjectIds, a page by key id). So every collection also gets an ordered index on _id, kept
     * like the others and never listed (listIndexes reads the index descriptions, and this one has none). Added
     * where the library opens the _id index, which is both when a collection is created and when the store opens.
     */
    private void addOrderedIdIndex(String collectionName) {
        MongoCollection<Object> collection = resolveCollection(collectionName, false);
        if (collection != null) {
            collection.addIndex(ordered(collectionName, ORDERED_ID_INDEX_NAME, List.of(new IndexKey("_id", true)),
                    new IndexProperties(false, false, null, null)));
        }
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                    boolean sparse) {
        if (keys.size() == 1 && keys.get(0).getKey().equals("_id")) {
            Index<Object> idIndex = super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
            if (opening() && !context().state().indexesTrusted()) {
                // the library's own _id map may miss a write after a crash too: emptied, the library rebuilds it
                context().store().openMap(stockIndexMapName(collectionName, indexName)).clear();
            }
            addOrderedIdIndex(collectionName);
            return idIndex;
        }
        return ordered(collectionName, indexName, keys, IndexProperties.of(description(collectionName, indexName), true, sparse));
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                       boolean sparse) {
        return ordered(collectionName, indexName, keys, IndexProperties.of(description(collectionName, indexName), false, sparse));
    }

    private OrderedIndex ordered(String collectionName, String indexName, List<IndexKey> keys, IndexProperties options) {
        StoreContext store = context();
        String mapName = getFullCollectionNamespace(collectionName) + ORDERED_INDEX_MAP_INFIX + indexName;
        IndexKeyType keyType = new IndexKeyType(OrderedIndex.directions(keys));
        MVMap<Object[], Object> entries = store.store().openMap(mapName,
                new MVMap.Builder<Object[], Object>().keyType(keyType));
        if (opening()) {
            if (!store.state().indexesTrusted()) {
                // emptied, the library's addIndex rebuilds it from the documents
                entries.clear();
            }
            // a unique index the stock backend kept: stale from now on, so removed (the stock backend rebuilds it)
            String stockMap = stockIndexMapName(collectionName, indexName);
            if (store.store().hasMap(stockMap)) {
                store.store().removeMap(stockMap);
            }
        }
        return new OrderedIndex(indexName, keys, options, entries, keyType, store.state(), mapName, store.ttlIndexes());
    }

    private String stockIndexMapName(String collectionName, String indexName) {
        return getFullCollectionNamespace(collectionName) + STOCK_INDEX_MAP_INFIX + indexName;
    }

    private Document description(String collectionName, String indexName) {
        Document being = describing;
        if (being != null && indexName.equals(being.get("name"))) {
            return being;
        }
        MongoCollection<Object> descriptions = indexes.get();
        if (descriptions == null) {
            return null;
        }
        Document query = new Document("ns", getFullCollectionNamespace(collectionName)).append("name", indexName);
        for (Document description : descriptions.handleQuery(query)) {
            return description;
        }
        return null;
    }

    @Override
    public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver databaseResolver,
                                  Oplog oplog) {
        if (command.equalsIgnoreCase("explain")) {
            return explain((Document) query.get(command));
        }
        if (command.equalsIgnoreCase("aggregate")) {
            Document response = aggregate(query, databaseResolver, oplog);
            if (response != null) {
                return response;
            }
        }
        return super.handleCommand(channel, command, query, databaseResolver, oplog);
    }

    /** An aggregation on a collection, its leading $match(es), $sort and $limit read through the planner. */
    private Document aggregate(Document query, DatabaseResolver databaseResolver, Oplog oplog) {
        if (!(query.get("aggregate") instanceof String collectionName)
                || !(resolveCollection(collectionName, false) instanceof IndexedH2Collection collection)) {
            return null;
        }
        List<Document> pipeline = Aggregation.parse(query.get("pipeline"));
        if (!pipeline.isEmpty() && pipeline.get(0).containsKey("$changeStream")) {
            return null;
        }
        Leading leading = Leading.of(pipeline);
        Document counted = countStage(pipeline, leading);
        if (counted != null) {
            int count = collection.count(leading.match(), 0, 0);
            List<Document> result = count == 0 ? List.of()
                    : List.of(new Document("_id", counted.get("_id")).append(countField(counted), count));
            return cursorResponse(collection.getFullName(), result);
        }
        Aggregation rest = Aggregation.fromPipeline(pipeline.subList(leading.stages(), pipeline.size()),
                databaseResolver, this, collection, oplog);
        rest.validate(query);
        List<Document> source = collection.pipelineSource(leading.match(), leading.sort(), leading.limit());
        List<Document> result = rest.runStages(source.stream());
        return cursorResponse(collection.getFullName(), result);
    }

    /**
     * The $group of countDocuments' pipeline ($match, then {$group: {_id: constant, n: {$sum: 1}}}), or null: such a
     * pipeline is a count, which an index can answer without reading documents.
     */
    private static Document countStage(List<Document> pipeline, Leading leading) {
        // an empty $match stays a whole-collection read, which no-table-scan refuses as MongoDB does
        if (leading.match().isEmpty() || leading.sort() != null || leading.limit() > 0
                || leading.stages() != pipeline.size() - 1) {
            return null;
        }
        Document stage = pipeline.get(pipeline.size() - 1);
        if (stage.size() != 1 || !(stage.get("$group") instanceof Document group) || group.size() != 2) {
            return null;
        }
        Object id = group.get("_id");
        if (id instanceof Document || id instanceof String text && text.startsWith("$") || !group.containsKey("_id")) {
            return null;
        }
        String field = countField(group);
        return group.get(field) instanceof Document sum && sum.size() == 1 && sum.get("$sum") instanceof Number one
                && one.doubleValue() == 1 ? group : null;
    }

    private static String countField(Document group) {
        return group.keySet().stream().filter(key -> !key.equals("_id")).findFirst().orElseThrow();
    }

    /** The stages at the head of a pipeline that a query serves: $match(es), then $sort, then $limit. */
    private record Leading(Document match, Document sort, long limit, int stages) {

        static Leading of(List<Document> pipeline) {
            int at = 0;
            List<Document> matches = new ArrayList<>();
            while (at < pipeline.size() && pipeline.get(at).size() == 1 && pipeline.get(at).get("$match") instanceof Document match) {
                matches.add(match);
                at++;
            }
            Document sort = null;
            if (at < pipeline.size() && pipeline.get(at).size() == 1 && pipeline.get(at).get("$sort") instanceof Document s) {
                sort = s;
                at++;
            }
            long limit = 0;
            if (at < pipeline.size() && pipeline.get(at).size() == 1 && pipeline.get(at).get("$limit") instanceof Number n
                    && n.longValue() > 0) {
                limit = n.longValue();
                at++;
            }
            Document match = matches.isEmpty() ? new Document()
                    : matches.size() == 1 ? matches.get(0) : new Document("$and", matches);
            return new Leading(match, sort, limit, at);
        }
    }

    private Document explain(Document command) {
        String name = command.keySet().iterator().next();
        Object target = command.get(name);
        Document response;
        if (!(target instanceof String collectionName)
                || !(resolveCollection(collectionName, false) instanceof IndexedH2Collection collection)) {
            response = new Document("queryPlanner", new Document("winningPlan", new Document("stage", "EOF")));
        } else {
            response = switch (name.toLowerCase()) {
                case "find" -> collection.explain((Document) command.get("filter"), (Document) command.get("sort"),
                        number(command.get("skip")), number(command.get("limit")), null);
                case "count" -> collection.explain((Document) command.get("query"), null,
                        number(command.get("skip")), number(command.get("limit")), null);
                case "distinct" -> collection.explain((Document) command.get("query"), null, 0, 0,
                        (String) command.get("key"));
                case "findandmodify" -> collection.explain((Document) command.get("query"),
                        (Document) command.get("sort"), 0, 1, null);
                case "aggregate" -> {
                    Leading leading = Leading.of(Aggregation.parse(command.get("pipeline")));
                    yield collection.explain(leading.match(), leading.sort(), 0, (int) leading.limit(), null);
                }
                case "delete" -> collection.explain(first(command, "deletes"), null, 0, 0, null);
                case "update" -> collection.explain(first(command, "updates"), null, 0, 0, null);
                default -> new Document("queryPlanner", new Document("winningPlan", new Document("stage", "UNKNOWN")));
            };
        }
        Utils.markOkay(response);
        return response;
    }

    @SuppressWarnings("unchecked")
    private static Document first(Document command, String field) {
        List<Document> statements = (List<Document>) command.get(field);
        return statements == null || statements.isEmpty() ? new Document() : (Document) statements.get(0).get("q");
    }

    private static int number(Object value) {
        return value instanceof Number number ? number.intValue() : 0;
    }

    private static Document cursorResponse(String namespace, List<Document> documents) {
        Document cursor = new Document("id", 0L).append("ns", namespace).append("firstBatch", documents);
        Document response = new Document("cursor", cursor);
        Utils.markOkay(response);
        return response;
    }
}
