package com.spendsync.api.apikey;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum KeyStatus {
    ACTIVE,
    /** Rotated, with the previous secret still inside its grace period. */
    ROTATING,
    REVOKED,
    EXPIRED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == REVOKED || this == EXPIRED;
    }
}
