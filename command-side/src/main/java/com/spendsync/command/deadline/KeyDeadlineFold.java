package com.spendsync.command.deadline;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.command.deadline.KeyDeadlines.Deadline;

/** How one event changes a key's deadlines: the next instants at which it expires or its previous secret's grace ends. */
final class KeyDeadlineFold implements ApiKeyEvent.Cases<Deadline> {

    private final Deadline before;
    private final long sequence;

    private KeyDeadlineFold(Deadline before, long sequence) {
        this.before = before;
        this.sequence = sequence;
    }

    /** The deadlines after {@code event}; {@code deadline} is null before the key's first event. */
    static Deadline apply(Deadline deadline, ApiKeyEvent event, long sequence) {
        return event.match(new KeyDeadlineFold(
                deadline != null ? deadline : new Deadline(event.keyId(), null, null, -1), sequence));
    }

    @Override
    public Deadline created(ApiKeyCreatedEvent e) {
        return new Deadline(e.keyId(), e.expiresAt(), null, sequence);
    }

    @Override
    public Deadline updated(ApiKeyUpdatedEvent e) {
        return new Deadline(e.keyId(), e.expiresAt(), before.graceEndsAt(), sequence);
    }

    @Override
    public Deadline rotated(ApiKeyRotatedEvent e) {
        return new Deadline(e.keyId(), before.expiresAt(), e.graceRuns() ? e.previousKeyExpiresAt() : null, sequence);
    }

    @Override
    public Deadline graceEnded(ApiKeyRotationGraceEndedEvent e) {
        return new Deadline(e.keyId(), before.expiresAt(), null, sequence);
    }

    @Override
    public Deadline revoked(ApiKeyRevokedEvent e) {
        return new Deadline(e.keyId(), null, null, sequence);
    }

    @Override
    public Deadline expired(ApiKeyExpiredEvent e) {
        return new Deadline(e.keyId(), null, null, sequence);
    }

    @Override
    public Deadline used(ApiKeyUsedEvent e) {
        return new Deadline(e.keyId(), before.expiresAt(), before.graceEndsAt(), sequence);
    }
}
