package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Chooses how a query reads a collection: by _id, by walking one ordered index over intervals (an equality prefix,
 * `$in` on an indexed field, one range on the next field, and the sort order when the index has it), by a union of
 * indexed `$or` branches, or, when none of these applies, by a collection scan (returned as null). Top-level `$and`
 * is flattened first. A plan only narrows which documents are read: every one is still checked against the whole
 * query by the library's matcher, so a plan may read more than it returns but never less.
 */
final class QueryPlanner {

    private static final Comparator<Object> BSON_ORDER = ValueComparator.ascWithoutListHandling();
    private static final int MAX_INTERVALS = 1_000;

    private QueryPlanner() {
    }

    sealed interface Plan permits IdLookup, IndexScan, Union {
    }

    /** Point reads through the library's unique _id index. */
    record IdLookup(List<Object> ids) implements Plan {
    }

    /**
     * A walk over intervals of one index, in key order when forward. {@code bounded} is false for a walk that only
     * gives the sort order (the whole index, then filtered). {@code exact} when the intervals say all the query says
     * (equalities and `$in` on the walked fields only, one entry per document): then a count needs no document.
     */
    record IndexScan(OrderedIndex index, List<Object[]> from, List<Object[]> to, boolean forward,
                     boolean providesSort, boolean bounded, boolean exact) implements Plan {
    }

    /** The union of the documents that indexed `$or` branches read, without duplicates, sorted in memory. */
    record Union(List<Plan> branches) implements Plan {
    }

    /** Plans a query with an optional sort (null or empty for none); null means a collection scan. */
    static Plan plan(Document query, Document sort, List<OrderedIndex> indexes) {
        Conditions conditions = new Conditions();
        conditions.add(query == null ? new Document() : query);
        return plan(conditions, sortFields(sort), indexes);
    }

    private static Plan plan(Conditions conditions, List<SortField> sort, List<OrderedIndex> indexes) {
        FieldCondition id = conditions.fields.get("_id");
        if (id != null && id.points != null) {
            return new IdLookup(id.points);
        }
        Candidate best = null;
        for (OrderedIndex index : indexes) {
            Candidate candidate = candidate(index, conditions, sort);
            if (candidate != null && (best == null || candidate.compareTo(best) > 0)) {
                best = candidate;
            }
        }
        if (best != null && best.bounded() > 0) {
            return best.scan;
        }
        Plan union = union(conditions, indexes);
        if (union != null) {
            return union;
        }
        return best == null ? null : best.scan;
    }

    private static Plan union(Conditions conditions, List<OrderedIndex> indexes) {
        if (conditions.or == null) {
            return null;
        }
        List<Plan> branches = new ArrayList<>();
        for (Document branch : conditions.or) {
            Conditions merged = conditions.withoutOr();
            merged.add(branch);
            Plan plan = plan(merged, List.of(), indexes);
            if (plan == null || plan instanceof IndexScan scan && !scan.bounded()) {
                return null;
            }
            branches.add(plan);
        }
        return new Union(branches);
    }

    private record Candidate(IndexScan scan, int points, boolean range, boolean servesFilterAndSort,
                             boolean unique, int width) implements Comparable<Candidate> {

        int bounded() {
            return points + (range ? 1 : 0);
        }

        @Override
        public int compareTo(Candidate other) {
            return Comparator.comparing(Candidate::servesFilterAndSort)
                    .thenComparingInt(Candidate::points)
                    .thenComparing(Candidate::range)
                    .thenComparing(candidate -> candidate.scan.providesSort())
                    .thenComparing(Candidate::unique)
                    .thenComparing(candidate -> -candidate.width())
                    .compare(this, other);
        }
    }

    private static Candidate candidate(OrderedIndex index, Conditions conditions, List<SortField> sort) {
        if (!partialFilterImplied(index, conditions) || !sparseSafe(index, conditions)) {
            return null;
        }
        List<String> fields = index.fields();
        List<IndexKey> keys = index.getKeys();
        List<List<Object>> points = new ArrayList<>();
        FieldCondition range = null;
        for (String field : fields) {
            FieldCondition condition = conditions.fields.get(field);
            if (condition != null && condition.points != null) {
                points.add(condition.points);
                continue;
            }
            if (condition != null && condition.hasRange()) {
                range = index.isMultikey() && condition.lower != null && condition.upper != null
                        ? condition.lowerOnly() : condition;
            }
            break;
        }
        while (combinations(points) > MAX_INTERVALS) {
            points.remove(points.size() - 1);
            range = null;
        }
        int singlePoints = 0;
        while (singlePoints < fields.size() && singlePoints < points.size() && points.get(singlePoints).size() == 1) {
            singlePoints++;
        }
        Boolean forward = sortDirection(index, keys, conditions, sort, singlePoints);
        boolean providesSort = forward != null;
        int bounded = points.size() + (range == null ? 0 : 1);
        if (bounded == 0 && !(providesSort && !sort.isEmpty())) {
            return null;
        }
        List<Object[]> from = new ArrayList<>();
        List<Object[]> to = new ArrayList<>();
        intervals(index, points, range, from, to);
        boolean exact = range == null && !index.isMultikey() && !conditions.opaque
                && conditions.fields.size() == points.size()
                && fields.subList(0, points.size()).containsAll(conditions.fields.keySet());
        IndexScan scan = new IndexScan(index, from, to, forward == null || forward, providesSort, bounded > 0, exact);
        return new Candidate(scan, points.size(), range != null, bounded > 0 && providesSort && !sort.isEmpty(),
                index.isUnique(), fields.size());
    }

    /** The direction to walk for the sort (true forwards), or null when this index does not give that order. */
    private static Boolean sortDirection(OrderedIndex index, List<IndexKey> keys, Conditions conditions,
                                         List<SortField> sort, int singlePoints) {
        List<SortField> effective = sort.stream()
                .filter(field -> !conditions.hasSinglePoint(field.name()))
                .toList();
        if (effective.isEmpty()) {
            return Boolean.TRUE;
        }
        if (index.isMultikey() || singlePoints + effective.size() > keys.size()) {
            return null;
        }
        Integer sign = null;
        for (int j = 0; j < effective.size(); j++) {
            IndexKey key = keys.get(singlePoints + j);
            SortField field = effective.get(j);
            if (!key.getKey().equals(field.name())) {
                return null;
            }
            int s = (key.isAscending() ? 1 : -1) * field.direction();
            if (sign != null && sign != s) {
                return null;
            }
            sign = s;
        }
        return sign > 0;
    }

    private static void intervals(OrderedIndex index, List<List<Object>> points, FieldCondition range,
                                  List<Object[]> from, List<Object[]> to) {
        int width = index.fields().size() + 1;
        int[] directions = OrderedIndex.directions(index.getKeys());
        List<Object[]> prefixes = new ArrayList<>();
        prefixes.add(new Object[0]);
        for (List<Object> values : points) {
            List<Object[]> next = new ArrayList<>();
            for (Object[] prefix : prefixes) {
                for (Object value : values) {
                    Object[] extended = Arrays.copyOf(prefix, prefix.length + 1);
                    extended[prefix.length] = value;
                    next.add(extended);
                }
            }
            prefixes = next;
        }
        List<Object[][]> pairs = new ArrayList<>();
        for (Object[] prefix : prefixes) {
            Object[] start = Arrays.copyOf(prefix, width);
            Object[] end = Arrays.copyOf(prefix, width);
            int at = prefix.length;
            if (range == null) {
                Arrays.fill(start, at, width, IndexKeyType.LOWEST);
                Arrays.fill(end, at, width, IndexKeyType.HIGHEST);
            } else {
                boolean ascending = directions[at] > 0;
                Bound startBound = ascending ? range.lower : range.upper;
                Bound endBound = ascending ? range.upper : range.lower;
                fill(start, at, startBound, startBound != null && startBound.inclusive()
                        ? IndexKeyType.LOWEST : IndexKeyType.HIGHEST, IndexKeyType.LOWEST);
                fill(end, at, endBound, endBound != null && endBound.inclusive()
                        ? IndexKeyType.HIGHEST : IndexKeyType.LOWEST, IndexKeyType.HIGHEST);
            }
            pairs.add(new Object[][] {start, end});
        }
        pairs.sort((a, b) -> index.keyType().compare(a[0], b[0]));
        for (Object[][] pair : pairs) {
            from.add(pair[0]);
            to.add(pair[1]);
        }
    }

    private static void fill(Object[] key, int at, Bound bound, Object fillerAfterValue, Object fillerWithoutValue) {
        if (bound == null) {
            Arrays.fill(key, at, key.length, fillerWithoutValue);
        } else {
            key[at] = bound.value();
            Arrays.fill(key, at + 1, key.length, fillerAfterValue);
        }
    }

    private static long combinations(List<List<Object>> points) {
        long product = 1;
        for (List<Object> values : points) {
            product *= values.size();
            if (product > MAX_INTERVALS) {
                return product;
            }
        }
        return product;
    }

    /** A partial index holds only the documents its filter matches: usable when the query implies that filter. */
    private static boolean partialFilterImplied(OrderedIndex index, Conditions conditions) {
        Document filter = index.options().partialFilter();
        if (filter == null) {
            return true;
        }
        for (Map.Entry<String, Object> entry : flatten(filter).entrySet()) {
            String field = entry.getKey();
            if (conditions.raw.stream().anyMatch(raw -> raw.field.equals(field) && Objects.equals(raw.value, entry.getValue()))) {
                continue;
            }
            FieldCondition condition = conditions.fields.get(field);
            if (condition == null || condition.points == null) {
                return false;
            }
            Document fieldFilter = new Document(field, entry.getValue());
            DefaultQueryMatcher matcher = new DefaultQueryMatcher();
            if (!condition.points.stream().allMatch(point -> matcher.matches(new Document(field, point), fieldFilter))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> flatten(Document filter) {
        Map<String, Object> flat = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : filter.entrySet()) {
            if (entry.getKey().equals("$and") && entry.getValue() instanceof List<?> list) {
                for (Object element : list) {
                    flat.putAll(flatten((Document) element));
                }
            } else {
                flat.put(entry.getKey(), entry.getValue());
            }
        }
        return flat;
    }

    /** A sparse index lacks the documents without its fields: usable only when the query excludes those. */
    private static boolean sparseSafe(OrderedIndex index, Conditions conditions) {
        if (!index.options().sparse()) {
            return true;
        }
        for (String field : index.fields()) {
            FieldCondition condition = conditions.fields.get(field);
            if (condition == null) {
                continue;
            }
            if (condition.points != null && condition.points.stream().noneMatch(Objects::isNull)) {
                return true;
            }
            if (condition.lower != null && condition.lower.value() != null) {
                return true;
            }
        }
        return false;
    }

    record SortField(String name, int direction) {
    }

    static List<SortField> sortFields(Document sort) {
        if (sort == null) {
            return List.of();
        }
        List<SortField> fields = new ArrayList<>();
        for (Map.Entry<String, Object> entry : sort.entrySet()) {
            int direction = entry.getValue() instanceof Number number && number.doubleValue() < 0 ? -1 : 1;
            fields.add(new SortField(entry.getKey(), direction));
        }
        return fields;
    }

    record Bound(Object value, boolean inclusive) {
    }

    /** What the query says about one field that an index can use. */
    static final class FieldCondition {
        List<Object> points;
        Bound lower;
        Bound upper;

        boolean hasRange() {
            return lower != null || upper != null;
        }

        FieldCondition lowerOnly() {
            FieldCondition condition = new FieldCondition();
            condition.lower = lower;
            return condition;
        }
    }

    private record RawCondition(String field, Object value) {
    }

    /** The top-level conjunction of a query, `$and` flattened, per field. */
    private static final class Conditions {
        final Map<String, FieldCondition> fields = new LinkedHashMap<>();
        final List<RawCondition> raw = new ArrayList<>();
        List<Document> or;
        /** Whether the query says more than points on fields (ranges, other operators, `$or`, ...). */
        boolean opaque;

        Conditions withoutOr() {
            Conditions copy = new Conditions();
            raw.forEach(condition -> copy.addField(condition.field, condition.value));
            copy.opaque = true;
            return copy;
        }

        boolean hasSinglePoint(String field) {
            FieldCondition condition = fields.get(field);
            return condition != null && condition.points != null && condition.points.size() == 1;
        }

        @SuppressWarnings("unchecked")
        void add(Document query) {
            for (Map.Entry<String, Object> entry : query.entrySet()) {
                String key = entry.getKey();
                Object value = entry.getValue();
                if (key.equals("$and") && value instanceof List<?> list) {
                    list.forEach(element -> add((Document) element));
                } else if (key.equals("$or") && value instanceof List<?> list) {
                    opaque = true;
                    if (or == null) {
                        or = (List<Document>) list;
                    }
                } else if (!key.startsWith("$")) {
                    addField(key, value);
                } else {
                    opaque = true;
                }
            }
        }

        void addField(String field, Object value) {
            raw.add(new RawCondition(field, value));
            if (fields.containsKey(field)) {
                opaque = true;
            }
            FieldCondition condition = fields.computeIfAbsent(field, name -> new FieldCondition());
            if (value instanceof Document document && isOperatorDocument(document)) {
                if (document.size() > 1) {
                    opaque = true;
                }
                for (Map.Entry<String, Object> operator : document.entrySet()) {
                    Object operand = operator.getValue();
                    if (!operator.getKey().equals("$eq") && !operator.getKey().equals("$in")) {
                        opaque = true;
                    }
                    switch (operator.getKey()) {
                        case "$eq" -> {
                            if (indexableValue(operand) && condition.points == null) {
                                condition.points = java.util.Collections.singletonList(operand);
                            } else {
                                opaque = true;
                            }
                        }
                        case "$in" -> {
                            if (operand instanceof Collection<?> values && values.stream().allMatch(QueryPlanner::indexableValue)
                                    && condition.points == null) {
                                TreeSet<Object> distinct = new TreeSet<>(BSON_ORDER);
                                values.forEach(distinct::add);
                                condition.points = distinct.isEmpty() ? null : new ArrayList<>(distinct);
                            } else {
                                opaque = true;
                            }
                        }
                        case "$gt", "$gte" -> {
                            if (indexableValue(operand) && condition.lower == null) {
                                condition.lower = new Bound(operand, operator.getKey().equals("$gte"));
                            }
                        }
                        case "$lt", "$lte" -> {
                            if (indexableValue(operand) && condition.upper == null) {
                                condition.upper = new Bound(operand, operator.getKey().equals("$lte"));
                            }
                        }
                        default -> {
                            // $ne, $nin, $exists, $regex, $elemMatch, $not, $type, $size, $all, $mod: checked by the matcher only
                        }
                    }
                }
            } else if (indexableValue(value) && condition.points == null) {
                condition.points = java.util.Collections.singletonList(value);
            } else {
                opaque = true;
            }
        }
    }

    private static boolean isOperatorDocument(Document document) {
        return !document.isEmpty() && document.keySet().iterator().next().startsWith("$");
    }

    /** Values an index can look up: not arrays (array equality), not regular expressions, not operator documents. */
    private static boolean indexableValue(Object value) {
        if (value instanceof Collection<?> || value instanceof Pattern || value instanceof BsonRegularExpression) {
            return false;
        }
        if (value instanceof Document document) {
            return !BsonRegularExpression.isRegularExpression(document) && !isOperatorDocument(document);
        }
        return true;
    }
}
