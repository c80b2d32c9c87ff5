package com.spendsync.allinone.support;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/** Reads the Axon event store (the audit log) straight from MongoDB, as an auditor's script would. */
public final class EventStoreProbe implements AutoCloseable {

    public static final String AUDIT_DATABASE = "spendsync_audit";
    private final MongoClient client;
    private final MongoCollection<Document> events;

    public EventStoreProbe(String mongoUri) {
        this.client = MongoClients.create(mongoUri);
        this.events = client.getDatabase(AUDIT_DATABASE).getCollection("domainevents");
    }

    public List<Document> eventsOf(String keyId) {
        return events.find(Filters.eq("aggregateIdentifier", keyId)).sort(Sorts.ascending("sequenceNumber"))
                .into(new ArrayList<>());
    }

    /** Simple names of the event types of one key, oldest first. */
    public List<String> typesOf(String keyId) {
        return eventsOf(keyId).stream().map(event -> {
            String type = event.getString("payloadType");
            return type.substring(type.lastIndexOf('.') + 1);
        }).toList();
    }

    public long count() {
        return events.countDocuments();
    }

    public MongoClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
