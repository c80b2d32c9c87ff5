package com.spendsync.query.audit;

import com.mongodb.client.MongoClient;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.auth.Visibility;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.paging.NewestFirst;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.convert.DefaultMongoTypeMapper;
import org.springframework.data.mongodb.core.convert.MappingMongoConverter;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.index.IndexOperations;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The audit view: one entry per event in {@code audit_logs} of the audit database ({@code AUDIT_DB_NAME}), beside
 * the event store, plus what it knows of each aggregate in {@code audit_log_aggregates}. Entries are listed newest
 * first, by timestamp and then event id, so a position in the listing is a (timestamp, eventId) pair that entries
 * written later cannot move.
 */
@Component
class AuditLogs {

    private static final String ENTRIES = "audit_logs";
    private static final String AGGREGATES = "audit_log_aggregates";
    private static final String ID = "_id";
    private static final String TIMESTAMP = "timestamp";
    private static final String EXPIRE_AT = "expireAt";
    private static final List<String> FILTERED_FIELDS =
            List.of("userId", "actor", "eventType", "severity", "resourceType", "resourceId");
    private static final int EXPORT_BATCH = 500;

    private final MongoTemplate mongo;

    AuditLogs(MongoClient client, SpendSyncProperties properties) {
        // a template of its own: Boot's template serves the key database, and a MongoTemplate bean would replace it
        this.mongo = new MongoTemplate(client, properties.auditDatabase());
        // entries keep the audit schema's fields only, without Spring Data's class hint
        ((MappingMongoConverter) mongo.getConverter()).setTypeMapper(new DefaultMongoTypeMapper(null));
        createIndexes();
    }

    /** The position of an entry in the newest-first listing. */
    record Position(Instant timestamp, String eventId) {
    }

    AuditedAggregate aggregate(String aggregateId) {
        return mongo.findById(aggregateId, AuditedAggregate.class, AGGREGATES);
    }

    /**
     * Writes each entry under its event id, so a redelivered or replayed event leaves one entry. The entries go
     * before the aggregates' progress: a failure between the two only makes the next attempt write them again.
     */
    void saveAll(AuditBatch batch) {
        upsertAll(AuditEntry.class, ENTRIES, batch.entries(), AuditEntry::eventId);
        upsertAll(AuditedAggregate.class, AGGREGATES, batch.aggregates(), AuditedAggregate::aggregateId);
    }

    /** Up to {@code limit} visible entries matching {@code filter}, newest first, after {@code after} (null: the top). */
    List<AuditEntry> page(AuditFilter filter, Authority reader, Position after, int limit) {
        return mongo.find(newestFirst(filter, reader, after).limit(limit), AuditEntry.class, ENTRIES);
    }

    /** Every entry matching {@code filter}, newest first, read through a database cursor: close the stream. */
    Stream<AuditEntry> stream(AuditFilter filter, Authority reader) {
        return mongo.stream(newestFirst(filter, reader, null).cursorBatchSize(EXPORT_BATCH), AuditEntry.class,
                ENTRIES);
    }

    void removeAll() {
        mongo.dropCollection(ENTRIES);
        mongo.dropCollection(AGGREGATES);
        createIndexes();
    }

    private <T> void upsertAll(Class<T> type, String collection, Collection<T> documents, Function<T, String> idOf) {
        if (documents.isEmpty()) {
            return;
        }
        BulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, type, collection);
        documents.forEach(document -> bulk.replaceOne(Query.query(Criteria.where(ID).is(idOf.apply(document))),
                document, FindAndReplaceOptions.options().upsert()));
        bulk.execute();
    }

    /**
     * The entries matching the filter that {@code reader} may see (a scoped or test root key: its owners' entries
     * in its environment, and those of its own actions), newest first.
     */
    private static Query newestFirst(AuditFilter filter, Authority reader, Position after) {
        List<Criteria> conditions = new ArrayList<>();
        Criteria visible = Visibility.of(reader, "userId", "environment", KeyEnvironment.TEST.label());
        if (visible != null) {
            conditions.add(new Criteria().orOperator(visible, Criteria.where("actor").is(reader.keyId())));
        }
        filter.equalities().forEach((field, value) -> conditions.add(Criteria.where(field).is(value)));
        if (filter.from() != null) {
            conditions.add(Criteria.where(TIMESTAMP).gte(filter.from()));
        }
        if (filter.to() != null) {
            conditions.add(Criteria.where(TIMESTAMP).lte(filter.to()));
        }
        if (after != null) {
            conditions.add(NewestFirst.after(TIMESTAMP, after.timestamp(), after.eventId()));
        }
        Criteria criteria = conditions.isEmpty() ? new Criteria() : new Criteria().andOperator(conditions);
        return Query.query(criteria).with(Sort.by(Sort.Direction.DESC, TIMESTAMP, ID));
    }

    /**
     * One index per filter, each ending in the listing order, and the retention as a TTL index on {@code expireAt}.
     * The embedded MongoDB-wire server keeps and uses them as MongoDB does, TTL included; the event store keeps
     * every event for good either way.
     */
    private void createIndexes() {
        IndexOperations indexes = mongo.indexOps(ENTRIES);
        indexes.createIndex(newestFirst(new Index()));
        FILTERED_FIELDS.forEach(field -> indexes.createIndex(newestFirst(new Index().on(field, Sort.Direction.ASC))));
        indexes.createIndex(new Index().on(EXPIRE_AT, Sort.Direction.ASC).expire(Duration.ZERO));
    }

    private static Index newestFirst(Index index) {
        return index.on(TIMESTAMP, Sort.Direction.DESC).on(ID, Sort.Direction.DESC);
    }
}
