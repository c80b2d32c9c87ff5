package com.spendsync.query.keyview;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import com.spendsync.platform.paging.Cursors;
import com.spendsync.platform.paging.PageLimits;
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

/**
 * A key's history straight from the event store, and its view as it stood at any instant, rebuilt from it (from the
 * newest checkpoint of the view before that instant).
 */
@RestController
class KeyHistoryController {

    private static final List<String> SECRET_HASH_FIELDS =
            List.of("keyHash", "previousKeyHash", "newKeyHash", "retiredKeyHash");

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final String CURSOR_KIND = "key-events";

    private final EventStore eventStore;
    private final KeyViews views;
    private final KeyViewCheckpoints checkpoints;
    private final ObjectMapper objectMapper;

    KeyHistoryController(EventStore eventStore, KeyViews views, KeyViewCheckpoints checkpoints,
                         ObjectMapper objectMapper) {
        this.eventStore = eventStore;
        this.views = views;
        this.checkpoints = checkpoints;
        this.objectMapper = objectMapper;
    }

    record HistoryEntry(String eventId, long sequence, String type, Instant timestamp, String actor,
                        ObjectNode data) {
    }

    record HistoryPage(List<HistoryEntry> items, String nextCursor) {
    }

    /**
     * One page of the key's history, oldest first: an active key adds a usage event per usage window, so a year
     * of it is read a page at a time, each page by the store's (aggregate, sequence) index.
     */
    @GetMapping("/v1/keys/{keyId}/events")
    @RequiresPermission("keys:read")
    HistoryPage events(@PathVariable String keyId, @RequestParam(required = false) Integer limit,
                       @RequestParam(required = false) String cursor, Caller caller) {
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        List<FieldProblem> problems = new ArrayList<>();
        PageLimits.check(pageSize, MAX_LIMIT, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        List<String> position = Cursors.decode(cursor, CURSOR_KIND, 1);
        long from;
        try {
            from = position == null ? 0 : Long.parseUnsignedLong(position.get(0));
        } catch (NumberFormatException notASequence) {
            throw Cursors.notIssuedHere();
        }
        requireReadable(keyId, caller);
        List<HistoryEntry> items = new ArrayList<>();
        DomainEventStream stream = eventStore.readEvents(keyId, from);
        while (stream.hasNext() && items.size() < pageSize) {
            DomainEventMessage<?> event = stream.next();
            items.add(new HistoryEntry(event.getIdentifier(), event.getSequenceNumber(), typeOf(event),
                    event.getTimestamp(), (String) event.getMetaData().get(AxonMongoConfiguration.ACTOR),
                    dataOf(event.getPayload())));
        }
        String next = stream.hasNext()
                ? Cursors.encode(CURSOR_KIND, Long.toString(items.get(items.size() - 1).sequence() + 1)) : null;
        return new HistoryPage(items, next);
    }

    @GetMapping("/v1/keys/{keyId}/state")
    @RequiresPermission("keys:read")
    KeyView state(@PathVariable String keyId, @RequestParam String at, Caller caller) {
        List<FieldProblem> problems = new ArrayList<>();
        Instant instant = QueryParameters.instant("at", at, problems);
        if (instant == null) {
            throw new InvalidRequestException(problems);
        }
        requireReadable(keyId, caller);
        // The fold stops at the first event after the instant; a checkpoint whose events all came before it is where
        // that fold would pass anyway, so starting there gives the same view.
        KeyView view = checkpoints.newestUntil(keyId, instant);
        DomainEventStream stream = eventStore.readEvents(keyId, view == null ? 0 : view.version() + 1);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
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
     * Whether the caller may read the key as it stands now: its view, brought up to date with the events the view
     * has not folded yet (usually none; all of them for a key the view does not have yet).
     */
    private void requireReadable(String keyId, Caller caller) {
        KeyView current = views.find(keyId);
        DomainEventStream newer = eventStore.readEvents(keyId, current == null ? 0 : current.version() + 1);
        while (newer.hasNext()) {
            current = KeyViewFold.apply(current, newer.next());
        }
        if (current == null) {
            throw new ResourceNotFoundException("no key has this id");
        }
        caller.authority().requireOver(current.asManaged(), "keys:read");
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
