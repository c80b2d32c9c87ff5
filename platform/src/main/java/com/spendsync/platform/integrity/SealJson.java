package com.spendsync.platform.integrity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** A seal as one line of JSON: in the append-only seal file, the webhook's body, the export and the offline verifier. */
public final class SealJson {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private SealJson() {
    }

    public static String write(Seal seal) {
        try {
            return JSON.writeValueAsString(seal);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a seal is plain data", e);
        }
    }

    public static Seal read(String line) {
        try {
            return JSON.readValue(line, Seal.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a seal: " + e.getOriginalMessage(), e);
        }
    }
}
