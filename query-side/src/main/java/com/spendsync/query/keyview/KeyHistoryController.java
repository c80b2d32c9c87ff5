package com.spendsync.query.keyview;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.api.EventTypes;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.problem.QueryParameters;
import com.spendsync.platform.problem.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A key's history straight from the event store, and its view as it stood at any instant, rebuilt from it. */
@RestController
class KeyHistoryController {

    private static final List<String> SECRET_HASH_FIELDS =
            List.of("keyHash", "previousKeyHash", "newKeyHash", "retiredKeyHash");

    private final EventStore eventStore;
    private final ObjectMapper objectMapper;

    KeyHistoryController(EventStore eventStore, ObjectMapper objectMapper) {
        this.eventStore = eventStore;
        this.objectMapper = objectMapper;
    }

    record HistoryEntry(String eventId, long sequence, String type, Instant timestamp, String actor,
                        ObjectNode data) {
    }

    @GetMapping("/v1/keys/{keyId}/events")
    @RequiresPermission("keys:read")
    List<HistoryEntry> events(@PathVariable String keyId, Caller caller) {
        List<HistoryEntry> history = new ArrayList<>();
        for (DomainEventMessage<?> event : history(keyId, caller)) {
            history.add(new HistoryEntry(event.getIdentifier(), event.getSequenceNumber(), typeOf(event),
                    event.getTimestamp(), (String) event.getMetaData().get(AxonMongoConfiguration.ACTOR),
                    dataOf(event.getPayload())));
        }
        return history;
    }

    @GetMapping("/v1/keys/{keyId}/state")
    @RequiresPermission("keys:read")
    KeyView state(@PathVariable String keyId, @RequestParam String at, Caller caller) {
        List<FieldProblem> problems = new ArrayList<>();
        Instant instant = QueryParameters.instant("at", at, problems);
        if (instant == null) {
            throw new InvalidRequestException(problems);
        }
        KeyView view = null;
        for (DomainEventMessage<?> event : history(keyId, caller)) {
            if (event.getTimestamp().isAfter(instant)) {
                break;
            }
            view = KeyViewFold.apply(view, event);
        }
        if (view == null) {
            throw new ResourceNotFoundException("the key did not exist at " + instant);
        }
        return view.asOf(instant);
    }

    /**
     * Every event of the key, oldest first, if the caller may read the key as its history leaves it; snapshots are
     * not events and are left out.
     */
    private List<DomainEventMessage<?>> history(String keyId, Caller caller) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        DomainEventStream stream = eventStore.readEvents(keyId, 0);
        stream.forEachRemaining(events::add);
        KeyView current = null;
        for (DomainEventMessage<?> event : events) {
            current = KeyViewFold.apply(current, event);
        }
        if (current == null) {
            throw new ResourceNotFoundException("no key has this id");
        }
        caller.authority().requireOver(current.asManaged(), "keys:read");
        return events;
    }

    static String typeOf(DomainEventMessage<?> event) {
        return EventTypes.nameOf(event.getPayloadType());
    }

    /**
     * The event's fields, without secret hashes (also those inside, such as a usage event's batches): they identify
     * secrets and are of no use to a reader.
     */
    private ObjectNode dataOf(Object payload) {
        ObjectNode data = objectMapper.valueToTree(payload);
        removeSecretHashes(data);
        return data;
    }

    private static void removeSecretHashes(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(SECRET_HASH_FIELDS);
        }
        node.forEach(KeyHistoryController::removeSecretHashes);
    }

}
