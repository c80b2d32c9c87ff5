package com.spendsync.platform.verification;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Announces every secret created or rotated to {@link UnknownKeys}. Subscribing: it runs as the command commits, in
 * the process that handled it, so before the create or rotate response returns.
 */
@Component
@ProcessingGroup(NewSecretsAnnouncer.GROUP)
class NewSecretsAnnouncer {

    static final String GROUP = "unknown-keys";

    private final UnknownKeys unknownKeys;

    NewSecretsAnnouncer(UnknownKeys unknownKeys) {
        this.unknownKeys = unknownKeys;
    }

    @EventHandler
    void on(ApiKeyCreatedEvent event) {
        unknownKeys.announce(event.keyHash());
    }

    @EventHandler
    void on(ApiKeyRotatedEvent event) {
        unknownKeys.announce(event.newKeyHash());
    }
}
