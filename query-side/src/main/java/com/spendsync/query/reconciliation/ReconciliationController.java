package com.spendsync.query.reconciliation;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.axon.SequencedProjection;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.bson.Document;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Compares every key view of this process with the event store, key by key: the sequence number of the key's last
 * stored event against the last one each view applied. {@code POST} also brings every drifting view up to date from
 * the key's own stream. Reads every key: an operator's check, not something to poll. The key ids come from the range
 * of key ids in the event store's (aggregateIdentifier, sequenceNumber) index, which MongoDB answers by skipping from
 * one key to the next (a distinct scan) rather than reading every event.
 */
@RestController
class ReconciliationController {

    private final EventStore eventStore;
    private final List<SequencedProjection> projections;
    private final MongoCollection<Document> storedEvents;
    private final Clock clock;

    ReconciliationController(EventStore eventStore, List<SequencedProjection> projections, MongoClient client,
                             SpendSyncProperties properties, Clock clock) {
        this.eventStore = eventStore;
        this.projections = projections;
        this.storedEvents = client.getDatabase(properties.auditDatabase()).getCollection("domainevents");
        this.clock = clock;
    }

    record Drift(String keyId, long eventStore, Map<String, Long> views) {
    }

    record Report(Instant checkedAt, int keys, List<String> projections, List<Drift> drift, int repaired) {
    }

    @GetMapping("/v1/admin/projections/reconciliation")
    @RequiresPermission("admin:replay")
    Report check() {
        return reconcile(false);
    }

    @PostMapping("/v1/admin/projections/reconciliation")
    @RequiresPermission("admin:replay")
    Report repair() {
        return reconcile(true);
    }

    private Report reconcile(boolean repair) {
        List<String> keyIds = storedEvents.distinct("aggregateIdentifier",
                Filters.and(Filters.gte("aggregateIdentifier", ApiKeyEvent.KEY_ID_PREFIX),
                        Filters.lt("aggregateIdentifier", ApiKeyEvent.KEY_ID_RANGE_END)),
                String.class).into(new ArrayList<>());
        List<Drift> drift = new ArrayList<>();
        int repaired = 0;
        for (String keyId : keyIds) {
            long last = eventStore.lastSequenceNumberFor(keyId).orElse(-1L);
            Map<String, Long> applied = new LinkedHashMap<>();
            boolean drifted = false;
            for (SequencedProjection projection : projections) {
                Long sequence = projection.appliedSequence(keyId);
                applied.put(projection.name(), sequence);
                if (!Objects.equals(sequence, last)) {
                    drifted = true;
                    if (repair) {
                        projection.catchUp(keyId);
                    }
                }
            }
            if (drifted) {
                drift.add(new Drift(keyId, last, applied));
                repaired += repair ? 1 : 0;
            }
        }
        return new Report(clock.instant(), keyIds.size(),
                projections.stream().map(SequencedProjection::name).toList(), drift, repaired);
    }
}
