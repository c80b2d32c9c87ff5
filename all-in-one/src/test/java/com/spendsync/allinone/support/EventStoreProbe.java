package com.spendsync.allinone.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.spendsync.api.alert.AlertDeliveredEvent;
import com.spendsync.api.alert.AlertDeliveryFailedEvent;
import com.spendsync.api.alert.AlertRaisedEvent;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;

/** Reads the Axon event store (the audit log) straight from MongoDB, as an auditor's script would. */
public final class EventStoreProbe implements AutoCloseable {

    public static final String AUDIT_DATABASE = "spendsync_audit";
    private static final Bson USAGE = Filters.eq("payloadType", ApiKeyUsedEvent.class.getName());
    private static final Set<String> BACKGROUND = Set.of(ApiKeyUsedEvent.class.getName(),
            AccessFailuresObservedEvent.class.getName(), AlertRaisedEvent.class.getName(),
            AlertDeliveredEvent.class.getName(), AlertDeliveryFailedEvent.class.getName(),
            KeyExpiryApproachingEvent.class.getName());

    private final MongoClient client;
    private final MongoCollection<Document> events;

    public EventStoreProbe(String mongoUri) {
        this.client = MongoClients.create(mongoUri);
        this.events = client.getDatabase(AUDIT_DATABASE).getCollection("domainevents");
    }

    public List<Document> eventsOf(String keyId) {
        return eventsOf(keyId, new Document());
    }

    /**
     * Simple names of the types of one key's events other than usage flushes, oldest first: the flusher appends
     * those whenever it runs, so a test about what a request changed leaves them out.
     */
    public List<String> lifecycleTypesOf(String keyId) {
        return eventsOf(keyId, Filters.not(USAGE)).stream().map(event -> {
            String type = event.getString("payloadType");
            return type.substring(type.lastIndexOf('.') + 1);
        }).toList();
    }

    /**
     * Events in the store other than those written in the background at any moment: usage flushes, counts of
     * refused requests, raised alerts, their delivery and expiry warnings. A refused request must not change this
     * count.
     */
    public long lifecycleEventCount() {
        return allEvents().stream().filter(event -> !BACKGROUND.contains(event.getString("payloadType"))).count();
    }

    /** The payloads of the expiry warnings recorded about one key, in insertion order. */
    public List<JsonNode> expiryWarningsOf(String keyId) {
        return payloadsOf(KeyExpiryApproachingEvent.class).stream()
                .filter(payload -> payload.path("keyId").asText().equals(keyId)).toList();
    }

    /**
     * Every event, in insertion order: a walk of the _id index, as an auditor's full read would be. No index serves
     * a filter on the payload type, and the services never ask for one (the test suite runs the embedded server
     * refusing queries no index serves).
     */
    private List<Document> allEvents() {
        return events.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    /** The payloads of every event of one type, in insertion order. */
    public List<JsonNode> payloadsOf(Class<?> payloadType) {
        return allEvents().stream().filter(event -> payloadType.getName().equals(event.getString("payloadType")))
                .map(event -> json(event.getString("serializedPayload"))).toList();
    }

    /** The payloads of one key's usage events, oldest first. */
    public List<JsonNode> usageEventsOf(String keyId) {
        return eventsOf(keyId, USAGE).stream().map(event -> json(event.getString("serializedPayload"))).toList();
    }

    public MongoClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }

    private List<Document> eventsOf(String keyId, Bson filter) {
        return events.find(Filters.and(Filters.eq("aggregateIdentifier", keyId), filter))
                .sort(Sorts.ascending("sequenceNumber")).into(new ArrayList<>());
    }

    private static JsonNode json(String text) {
        try {
            return Api.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event payload that is not JSON: " + text, e);
        }
    }
}
