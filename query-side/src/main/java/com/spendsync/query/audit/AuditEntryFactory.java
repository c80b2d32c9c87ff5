package com.spendsync.query.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.platform.config.SpendSyncProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.MetaData;
import org.springframework.stereotype.Component;

import static com.spendsync.platform.axon.AxonMongoConfiguration.ACTOR;
import static com.spendsync.platform.axon.AxonMongoConfiguration.SOURCE;

/**
 * Describes one event as an audit entry. Its data is copied without any field whose name ends in {@code Hash}, in any case (a
 * secret's hash identifies the secret and tells a reader nothing), and the values of the fields named in
 * {@code spendsync.audit.masked-fields} are shown as {@code ***}, at any depth and whatever the case of the name.
 */
@Component
class AuditEntryFactory {

    static final String MASK = "***";
    private static final String HASH_SUFFIX = "hash";
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {
    };

    private final ObjectMapper objectMapper;
    private final Set<String> maskedFields;
    private final Duration retention;

    AuditEntryFactory(ObjectMapper objectMapper, SpendSyncProperties properties) {
        this.objectMapper = objectMapper;
        this.maskedFields = properties.audit().maskedFields().stream().map(String::trim)
                .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.retention = properties.audit().retention();
    }

    /** The entry of {@code event}; {@code aggregate} is the aggregate after it, or null for an event of none. */
    AuditEntry entryFor(EventMessage<?> event, AuditedAggregate aggregate) {
        Class<?> type = event.getPayloadType();
        AuditClassification.Origin origin = AuditClassification.originOf(type);
        // BSON dates hold milliseconds: the entry keeps exactly what the store keeps, so page cursors match it
        Instant timestamp = event.getTimestamp().truncatedTo(ChronoUnit.MILLIS);
        return new AuditEntry(
                event.getIdentifier(),
                AuditClassification.eventTypeOf(type),
                AuditClassification.severityOf(type),
                aggregate == null ? null : aggregate.ownerId(),
                text(event.getMetaData(), ACTOR),
                origin.resourceType(),
                aggregate == null ? AuditClassification.resourceIdOf(event.getPayload(), event.getIdentifier())
                        : aggregate.aggregateId(),
                timestamp,
                dataOf(event),
                origin.service(),
                aggregate == null ? null : aggregate.environment(),
                aggregate == null ? null : aggregate.lastSequence(),
                timestamp.plus(retention));
    }

    private Map<String, Object> dataOf(EventMessage<?> event) {
        Map<String, Object> data = new LinkedHashMap<>(objectMapper.convertValue(event.getPayload(), FIELDS));
        String source = text(event.getMetaData(), SOURCE);
        if (source != null) {
            // a payload field of that name (an end client's address) is the more specific one, so it stays
            data.putIfAbsent(SOURCE, source);
        }
        return redact(data);
    }

    private Map<String, Object> redact(Map<?, ?> fields) {
        Map<String, Object> redacted = new LinkedHashMap<>();
        fields.forEach((key, value) -> {
            String name = String.valueOf(key).toLowerCase(Locale.ROOT);
            if (name.endsWith(HASH_SUFFIX)) {
                return;
            }
            redacted.put(String.valueOf(key), value != null && maskedFields.contains(name) ? MASK : redactValue(value));
        });
        return redacted;
    }

    private Object redactValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return redact(map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(this::redactValue).toList();
        }
        return value;
    }

    private static String text(MetaData metaData, String key) {
        Object value = metaData.get(key);
        return value == null ? null : value.toString();
    }
}
