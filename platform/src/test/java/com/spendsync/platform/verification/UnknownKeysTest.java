package com.spendsync.platform.verification;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.RecordComponent;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** An unknown secret is remembered; one created or rotated to is never hidden by having been unknown before. */
class UnknownKeysTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final UnknownKeys unknownKeys = new UnknownKeys(meters);
    private final NewSecretsAnnouncer announcer = new NewSecretsAnnouncer(unknownKeys);
    private final KeyHash secret = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).hash();

    @Test
    void remembersASecretNothingKnew() {
        unknownKeys.remember(secret);

        assertThat(unknownKeys.known(secret)).isTrue();
        assertThat(meters.get("cache.gets").tag("cache", "unknown-keys").tag("result", "hit").functionCounter()
                .count()).isEqualTo(1);
        assertThat(meters.get("cache.size").tag("cache", "unknown-keys").gauge()).isNotNull();
    }

    @Test
    void forgetsASecretWhenAKeyIsCreatedWithIt() throws Exception {
        unknownKeys.remember(secret);

        announcer.on(withHash(ApiKeyCreatedEvent.class, "keyHash"));

        assertThat(unknownKeys.known(secret)).isFalse();
    }

    @Test
    void forgetsASecretWhenAKeyIsRotatedToIt() throws Exception {
        unknownKeys.remember(secret);

        announcer.on(withHash(ApiKeyRotatedEvent.class, "newKeyHash"));

        assertThat(unknownKeys.known(secret)).isFalse();
    }

    @Test
    void doesNotRememberAnAnnouncedSecretThatALookupRacedAheadOfItsViews() throws Exception {
        announcer.on(withHash(ApiKeyCreatedEvent.class, "keyHash"));

        unknownKeys.remember(secret);

        assertThat(unknownKeys.known(secret)).isFalse();
    }

    /** The event with only the field the announcer reads: the others do not matter here. */
    private <E extends Record> E withHash(Class<E> type, String hashField) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = Arrays.stream(components)
                .map(component -> component.getName().equals(hashField) ? secret : defaultOf(component.getType()))
                .toArray();
        return type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
                .toArray(Class[]::new)).newInstance(values);
    }

    private static Object defaultOf(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        return type == boolean.class ? false : type == long.class ? 0L : type == int.class ? 0 : null;
    }
}
