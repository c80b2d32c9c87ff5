package com.spendsync.command.deadline;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/** Keeps, per key, the next instants at which it expires or its previous secret's grace ends. */
@Component
@ProcessingGroup(KeyDeadlineProjector.PROCESSING_GROUP)
class KeyDeadlineProjector {

    static final String PROCESSING_GROUP = "key-deadlines";

    private final KeyDeadlines deadlines;

    KeyDeadlineProjector(KeyDeadlines deadlines) {
        this.deadlines = deadlines;
    }

    @EventHandler
    void on(ApiKeyCreatedEvent event) {
        deadlines.setExpiry(event.keyId(), event.expiresAt());
    }

    @EventHandler
    void on(ApiKeyUpdatedEvent event) {
        deadlines.setExpiry(event.keyId(), event.expiresAt());
    }

    @EventHandler
    void on(ApiKeyRotatedEvent event) {
        deadlines.setGraceEnd(event.keyId(),
                event.previousKeyExpiresAt().isAfter(event.rotatedAt()) ? event.previousKeyExpiresAt() : null);
    }

    @EventHandler
    void on(ApiKeyRotationGraceEndedEvent event) {
        deadlines.setGraceEnd(event.keyId(), null);
    }

    @EventHandler
    void on(ApiKeyRevokedEvent event) {
        deadlines.remove(event.keyId());
    }

    @EventHandler
    void on(ApiKeyExpiredEvent event) {
        deadlines.remove(event.keyId());
    }

    @ResetHandler
    void reset() {
        deadlines.removeAll();
    }
}
