package com.spendsync.api.apikey;

/**
 * One field of a partial update: a null {@code Change} leaves the field as it is, a {@code Change} holding null
 * clears it.
 */
public record Change<T>(T value) {

    public static <T> Change<T> to(T value) {
        return new Change<>(value);
    }

    public static <T> T applyTo(T current, Change<T> change) {
        return change == null ? current : change.value();
    }
}
