package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.alert.KeyExpiryApproachingEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.security.AccessFailuresObservedEvent;
import com.spendsync.platform.security.AccessFailures;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertingSequencingTest {

    private final AlertingSequencing sequencing = new AlertingSequencing();

    @Test
    void everythingAboutAKeyGoesToTheSegmentOfItsOwnEvents() {
        Object ownEvent = sequencing.getSequenceIdentifierFor(new GenericDomainEventMessage<>("ApiKey", "key_1", 3,
                new ApiKeyRevokedEvent("key_1", null, null, "gone", Instant.EPOCH)));

        assertThat(ownEvent).isEqualTo("key_1");
        assertThat(sequencing.getSequenceIdentifierFor(GenericEventMessage.asEventMessage(
                refused(AccessFailures.RATE_LIMITED, "key_1")))).isEqualTo(ownEvent);
        assertThat(sequencing.getSequenceIdentifierFor(GenericEventMessage.asEventMessage(
                new KeyExpiryApproachingEvent("key_1", Instant.EPOCH, Duration.ofDays(1), Instant.EPOCH))))
                .isEqualTo(ownEvent);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {"UNKNOWN_KEY, none, 203.0.113.9", "MALFORMED_KEY, none, 198.51.100.7",
            "UNAUTHENTICATED, none, 127.0.0.1", "FORBIDDEN, key_root, 203.0.113.9"})
    void everyRefusalTheBruteForceRuleCountsGoesToOneSegmentWhateverItsSource(String kind, String keyId,
                                                                             String source) {
        Object sequence = sequencing.getSequenceIdentifierFor(GenericEventMessage.asEventMessage(
                new AccessFailuresObservedEvent(kind, source, keyId, null, 1, Instant.EPOCH, Instant.EPOCH)));

        assertThat(sequence).isEqualTo(sequencing.getSequenceIdentifierFor(GenericEventMessage.asEventMessage(
                refused(AccessFailures.UNKNOWN_KEY, null))));
    }

    private static AccessFailuresObservedEvent refused(String kind, String keyId) {
        return new AccessFailuresObservedEvent(kind, "203.0.113.9", keyId, null, 1, Instant.EPOCH, Instant.EPOCH);
    }
}
