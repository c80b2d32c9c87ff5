package com.spendsync.api.apikey;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.SecretRandom;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Replaces the key's secret by one minted from {@code newSecret} in the key's own environment. */
public record RotateApiKeyCommand(
        @TargetAggregateIdentifier String keyId,
        SecretRandom newSecret,
        Duration gracePeriod,
        Instant requestedAt,
        Authority caller) {
}
