package com.spendsync.api.apikey;

/**
 * An event of one key's own stream. A fold over a key's events implements {@link Cases}, one method per kind of key
 * event, so the compiler checks that it handles every kind (Java 17 has no exhaustive pattern {@code switch}).
 */
public sealed interface ApiKeyEvent permits ApiKeyCreatedEvent, ApiKeyUpdatedEvent, ApiKeyRotatedEvent,
        ApiKeyRotationGraceEndedEvent, ApiKeyRevokedEvent, ApiKeyExpiredEvent, ApiKeyUsedEvent {

    /** The aggregate type Axon stores with every key event (the event store's {@code type}). */
    String AGGREGATE_TYPE = "ApiKey";

    /** Every key id starts with it, so the keys' streams are one range of the event store's aggregate index. */
    String KEY_ID_PREFIX = "key_";

    /** The end of that range: the character after {@code _}. */
    String KEY_ID_RANGE_END = "key`";

    String keyId();

    /** What {@code cases} makes of this event: the result of its method for this kind of event. */
    <R> R match(Cases<R> cases);

    /** What to make of each kind of key event. */
    interface Cases<R> {

        R created(ApiKeyCreatedEvent event);

        R updated(ApiKeyUpdatedEvent event);

        R rotated(ApiKeyRotatedEvent event);

        R graceEnded(ApiKeyRotationGraceEndedEvent event);

        R revoked(ApiKeyRevokedEvent event);

        R expired(ApiKeyExpiredEvent event);

        R used(ApiKeyUsedEvent event);
    }
}
