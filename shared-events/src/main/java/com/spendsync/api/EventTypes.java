package com.spendsync.api;

/** How an event type is named to people: {@code ApiKeyRevokedEvent} is {@code ApiKeyRevoked}. */
public final class EventTypes {

    private EventTypes() {
    }

    public static String nameOf(Class<?> eventType) {
        return eventType.getSimpleName().replaceFirst("Event$", "");
    }
}
