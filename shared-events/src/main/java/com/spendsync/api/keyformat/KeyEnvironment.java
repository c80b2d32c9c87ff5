package com.spendsync.api.keyformat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a key is for production traffic or for tests; it is part of the key's visible prefix. */
public enum KeyEnvironment {
    LIVE("live"),
    TEST("test");

    private final String label;

    KeyEnvironment(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    public String keyPrefix() {
        return "ss_" + label + "_";
    }

    @JsonCreator
    public static KeyEnvironment fromLabel(String label) {
        for (KeyEnvironment environment : values()) {
            if (environment.label.equals(label)) {
                return environment;
            }
        }
        throw new IllegalArgumentException("environment must be \"live\" or \"test\"");
    }
}
