package com.spendsync.api.apikey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Whose bucket a rate limit draws from: the key's own, or one shared by all keys of the key's owner that define the
 * limit alike.
 */
public enum RateLimitSharing {
    KEY, OWNER;

    public static final String MUST_BE = "must be \"key\" or \"owner\"";

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RateLimitSharing of(String label) {
        return find(label).orElseThrow(() -> new IllegalArgumentException(MUST_BE));
    }

    /** The sharing of that label, if any. */
    public static Optional<RateLimitSharing> find(String label) {
        return Arrays.stream(values()).filter(sharing -> sharing.label().equals(label)).findFirst();
    }
}
