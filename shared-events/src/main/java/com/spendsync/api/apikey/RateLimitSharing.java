package com.spendsync.api.apikey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whose bucket a rate limit draws from: the key's own, or one shared by all keys of the key's owner. */
public enum RateLimitSharing {
    KEY, OWNER;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RateLimitSharing of(String label) {
        for (RateLimitSharing sharing : values()) {
            if (sharing.label().equals(label)) {
                return sharing;
            }
        }
        throw new IllegalArgumentException("shared must be \"key\" or \"owner\"");
    }
}
