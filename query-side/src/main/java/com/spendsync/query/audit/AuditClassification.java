package com.spendsync.query.audit;

import com.spendsync.api.EventTypes;
import com.spendsync.api.alert.AlertDeliveredEvent;
import com.spendsync.api.alert.AlertDeliveryFailedEvent;
import com.spendsync.api.alert.AlertRaisedEvent;
import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.audit.AuditLogReadEvent;
import com.spendsync.api.audit.AuditTrailChainedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import java.util.Map;

/**
 * What the audit trail says about each kind of event, in one place: its severity, the kind of resource it is about
 * and the service that writes it. An event type missing here is still recorded: as INFO, its resource type the name
 * of its feature package in {@code shared-events}, its service unknown.
 */
final class AuditClassification {

    private static final Map<Class<?>, AuditSeverity> SEVERITIES = Map.ofEntries(
            Map.entry(ApiKeyCreatedEvent.class, AuditSeverity.INFO),
            Map.entry(ApiKeyUpdatedEvent.class, AuditSeverity.INFO),
            Map.entry(ApiKeyRotatedEvent.class, AuditSeverity.INFO),
            Map.entry(ApiKeyUsedEvent.class, AuditSeverity.INFO),
            Map.entry(ApiKeyRotationGraceEndedEvent.class, AuditSeverity.INFO),
            Map.entry(ApiKeyRevokedEvent.class, AuditSeverity.WARNING),
            Map.entry(ApiKeyExpiredEvent.class, AuditSeverity.WARNING),
            Map.entry(AuditLogReadEvent.class, AuditSeverity.INFO),
            // the one change to stored events there is: chain fields added to a store written before chaining
            Map.entry(AuditTrailChainedEvent.class, AuditSeverity.WARNING),
            // every kind of refusal, the rate-limited, revoked and expired keys at verification included
            Map.entry(AccessFailuresObservedEvent.class, AuditSeverity.WARNING),
            Map.entry(AlertRaisedEvent.class, AuditSeverity.WARNING),
            // a notice that the alert it raises (AlertRaised) makes a warning of
            Map.entry(KeyExpiryApproachingEvent.class, AuditSeverity.INFO),
            Map.entry(AlertDeliveredEvent.class, AuditSeverity.INFO),
            Map.entry(AlertDeliveryFailedEvent.class, AuditSeverity.WARNING));

    /** By feature package: every key event comes from the aggregate on the command side. */
    private static final Map<String, Origin> ORIGINS = Map.of(
            ApiKeyCreatedEvent.class.getPackageName(), new Origin("api_key", "command-side"),
            AuditLogReadEvent.class.getPackageName(), new Origin("audit_log", "query-side"),
            AccessFailuresObservedEvent.class.getPackageName(), new Origin("access", null),
            AlertRaisedEvent.class.getPackageName(), new Origin("alert", "alerting-projector"));

    private AuditClassification() {
    }

    record Origin(String resourceType, String service) {
    }

    static AuditSeverity severityOf(Class<?> eventType) {
        return SEVERITIES.getOrDefault(eventType, AuditSeverity.INFO);
    }

    static Origin originOf(Class<?> eventType) {
        String feature = eventType.getPackageName();
        return ORIGINS.getOrDefault(feature, new Origin(feature.substring(feature.lastIndexOf('.') + 1), null));
    }

    /**
     * The resource an event of no aggregate is about; an event this table does not know is its own resource. Refusals
     * are listed by source and expiry warnings by the alert they raise, whether or not they name a key (which their
     * data shows), so that a key's own resource id lists its own history only.
     */
    static String resourceIdOf(Object payload, String eventId) {
        if (payload instanceof AuditLogReadEvent read) {
            return read.readId();
        }
        if (payload instanceof AlertRaisedEvent raised) {
            return raised.alertId();
        }
        if (payload instanceof AlertDeliveredEvent delivered) {
            return delivered.alertId();
        }
        if (payload instanceof AlertDeliveryFailedEvent failed) {
            return failed.alertId();
        }
        if (payload instanceof KeyExpiryApproachingEvent approaching) {
            return approaching.alertId();
        }
        return payload instanceof AccessFailuresObservedEvent failures ? failures.source() : eventId;
    }

    /** {@code ApiKeyRevokedEvent} is listed as {@code ApiKeyRevoked}. */
    static String eventTypeOf(Class<?> eventType) {
        return EventTypes.nameOf(eventType);
    }
}
