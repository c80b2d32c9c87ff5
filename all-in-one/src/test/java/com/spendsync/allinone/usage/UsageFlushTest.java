package com.spendsync.allinone.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.apikey.RecordKeyUsageCommand;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.command.keys.KeyCommandSender;
import com.spendsync.command.usage.UsageBatches;
import com.spendsync.command.usage.UsageFlusher;
import com.spendsync.platform.verification.KeyVerifier;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Uses that verification counts in Redis reach the key's history as ApiKeyUsed events and its view as usage totals:
 * every use exactly once, across crashes and restarts, and at most one event per key per flush.
 */
class UsageFlushTest {

    private static final Duration PROJECTION = Duration.ofSeconds(10);
    /** Long enough that only the flushes a test triggers by hand run after the start. */
    private static final String NO_SCHEDULED_FLUSH = "PT1H";

    /** The flusher on its schedule, as in production, only much more often. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnSchedule {

        private SpendSyncInstance instance;
        private EventStoreProbe eventStore;

        @BeforeAll
        void start() {
            instance = SpendSyncInstance.builder().property("SPENDSYNC_USAGE_FLUSH_INTERVAL", "PT0.5S").start();
            eventStore = new EventStoreProbe(instance.mongoUri());
        }

        @AfterAll
        void stop() {
            eventStore.close();
            instance.close();
        }

        @Test
        void validAndRejectedUsesReachTheViewAndTheEventStore() {
            Key key = createKey(instance);
            Instant firstUse = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            use(instance, key.secret(), 7);
            reject(instance, key.secret(), 3);
            Instant lastUse = Instant.now();

            JsonNode view = awaitUsageInView(instance, key.id(), 7, 3);
            assertThat(Instant.parse(view.path("lastUsedAt").asText())).isBetween(firstUse, lastUse);
            List<JsonNode> events = eventStore.usageEventsOf(key.id());
            assertThat(sum(events, "validUses")).isEqualTo(7);
            assertThat(sum(events, "rejectedUses")).isEqualTo(3);
            assertThat(instance.api().get("/v1/keys/" + key.id() + "/events").body())
                    .contains("ApiKeyUsed").doesNotContainIgnoringCase("hash");
        }
    }

    /** Flushes triggered by hand, so a test decides what one flush window holds and where a crash falls. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ByHand {

        private SpendSyncInstance instance;
        private EventStoreProbe eventStore;
        private UsageFlusher flusher;
        private UsageBatches batches;

        @BeforeAll
        void start() {
            instance = SpendSyncInstance.builder()
                    .property("SPENDSYNC_USAGE_FLUSH_INTERVAL", NO_SCHEDULED_FLUSH).start();
            eventStore = new EventStoreProbe(instance.mongoUri());
            flusher = instance.bean(UsageFlusher.class);
            batches = instance.bean(UsageBatches.class);
        }

        @AfterAll
        void stop() {
            eventStore.close();
            instance.close();
        }

        @Test
        void manyUsesInOneWindowAreOneEvent() {
            Key key = createKey(instance);
            use(instance, key.secret(), 40);
            reject(instance, key.secret(), 4);

            flusher.flush();
            flusher.flush();

            List<JsonNode> events = eventStore.usageEventsOf(key.id());
            assertThat(events).hasSize(1);
            assertThat(sum(events, "validUses")).isEqualTo(40);
            assertThat(sum(events, "rejectedUses")).isEqualTo(4);

            use(instance, key.secret(), 2);
            flusher.flush();

            assertThat(validUsesPerEvent(key.id())).containsExactly(40L, 2L);
            awaitUsageInView(instance, key.id(), 42, 4);
        }

        @Test
        void bothSecretsOfARotationGoInOneEvent() {
            Key key = createKey(instance);
            use(instance, key.secret(), 3);
            ApiKeySecret rotated = secret(instance.api().rotate(key.id(), 3600L).text("key"));
            awaitInValidationView(instance, rotated);
            use(instance, rotated, 2);
            use(instance, key.secret(), 1);

            flusher.flush();

            List<JsonNode> events = eventStore.usageEventsOf(key.id());
            assertThat(events).hasSize(1);
            assertThat(events.get(0).path("batches")).hasSize(2);
            assertThat(sum(events, "validUses")).isEqualTo(6);
            awaitUsageInView(instance, key.id(), 6, 0);
        }

        @Test
        void aBatchTakenBeforeACrashIsRecordedOnceByTheNextFlush() {
            Key key = createKey(instance);
            use(instance, key.secret(), 4);
            batches.take(key.secret().hash());
            use(instance, key.secret(), 2);

            flusher.flush();

            assertThat(validUsesPerEvent(key.id())).containsExactly(4L);

            flusher.flush();

            assertThat(validUsesPerEvent(key.id())).containsExactly(4L, 2L);
            assertNothingLeftToFlush(instance, key.secret());
            awaitUsageInView(instance, key.id(), 6, 0);
        }

        @Test
        void aBatchRecordedBeforeACrashIsNotCountedAgain() {
            Key key = createKey(instance);
            use(instance, key.secret(), 5);
            UsageBatches.TakenBatch taken = batches.take(key.secret().hash()).orElseThrow();
            instance.bean(KeyCommandSender.class).sendAsSystem(
                    new RecordKeyUsageCommand(key.id(), List.of(taken.usage()), Instant.now()), "test:crash");

            flusher.flush();

            List<JsonNode> events = eventStore.usageEventsOf(key.id());
            assertThat(events).hasSize(1);
            assertThat(sum(events, "validUses")).isEqualTo(5);
            assertNothingLeftToFlush(instance, key.secret());
            awaitUsageInView(instance, key.id(), 5, 0);
        }

        @Test
        void usesAfterRedisLosesItsDataAreCounted() {
            Key key = createKey(instance);
            use(instance, key.secret(), 3);
            flusher.flush();

            // a restart without persistence, or a failover to an empty replica: the batch counter starts over
            instance.bean(StringRedisTemplate.class).execute(connection -> {
                connection.serverCommands().flushAll();
                return null;
            }, true);
            // the key view may not have this new key yet, and until it does a lost entry cannot be refilled
            // (docs/architecture.md, Redis data loss): wait, without counting a use, until the key verifies again
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> instance.bean(KeyVerifier.class).inspect(key.secret().hash()).valid());
            use(instance, key.secret(), 2);
            flusher.flush();
            use(instance, key.secret(), 1);
            flusher.flush();

            assertThat(validUsesPerEvent(key.id())).containsExactly(3L, 2L, 1L);
            assertNothingLeftToFlush(instance, key.secret());
            awaitUsageInView(instance, key.id(), 6, 0);
        }

        @Test
        void theUsageOfAKeyThatDoesNotExistIsDropped() {
            ApiKeySecret strayed = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
            String unknownKeyId = "key_" + "0".repeat(22);
            instance.bean(StringRedisTemplate.class).opsForHash().putAll(
                    ValidationViewKeys.usage(strayed.hash()),
                    Map.of(ValidationViewKeys.KEY_ID, unknownKeyId, ValidationViewKeys.USAGE_VALID, "3"));

            flusher.flush();

            assertNothingLeftToFlush(instance, strayed);
            assertThat(eventStore.eventsOf(unknownKeyId)).isEmpty();
        }

        private List<Long> validUsesPerEvent(String keyId) {
            return eventStore.usageEventsOf(keyId).stream().map(event -> sum(List.of(event), "validUses")).toList();
        }
    }

    @Test
    void usesCountedBeforeARestartAreRecordedOnceAfterIt() {
        Path dataDirectory;
        ApiKeySecret root;
        Key key;
        try (SpendSyncInstance before = SpendSyncInstance.builder()
                .property("SPENDSYNC_USAGE_FLUSH_INTERVAL", NO_SCHEDULED_FLUSH).start()) {
            dataDirectory = before.dataDirectory();
            root = before.rootKey();
            key = createKey(before);
            use(before, key.secret(), 3);
            // the process stops between taking a batch and recording it, with more uses counted after it
            before.bean(UsageBatches.class).take(key.secret().hash());
            use(before, key.secret(), 2);
            reject(before, key.secret(), 1);
        }

        try (SpendSyncInstance after = SpendSyncInstance.builder().dataDirectory(dataDirectory).rootKey(root)
                .property("SPENDSYNC_USAGE_FLUSH_INTERVAL", "PT0.5S").start();
             EventStoreProbe eventStore = new EventStoreProbe(after.mongoUri())) {
            awaitUsageInView(after, key.id(), 5, 1);
            await().atMost(PROJECTION).untilAsserted(() -> assertNothingLeftToFlush(after, key.secret()));

            List<JsonNode> events = eventStore.usageEventsOf(key.id());
            assertThat(sum(events, "validUses")).isEqualTo(5);
            assertThat(sum(events, "rejectedUses")).isEqualTo(1);
        }
    }

    private record Key(String id, ApiKeySecret secret) {
    }

    /** A key with {@code payments:read}, once verification can see it. */
    private static Key createKey(SpendSyncInstance instance) {
        Api.Reply created = instance.api().createKey(Map.of("ownerId", "usage-" + UUID.randomUUID(),
                "name", "counted", "permissions", List.of("payments:read")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Key key = new Key(created.text("keyId"), secret(created.text("key")));
        awaitInValidationView(instance, key.secret());
        return key;
    }

    /** Waits without verifying, since every verification counts. */
    private static void awaitInValidationView(SpendSyncInstance instance, ApiKeySecret secret) {
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        await().atMost(PROJECTION).until(() -> redis.hasKey(ValidationViewKeys.entry(secret.hash())));
    }

    private static void use(SpendSyncInstance instance, ApiKeySecret secret, int times) {
        verify(instance, secret, times, "payments:read", "VALID");
    }

    private static void reject(SpendSyncInstance instance, ApiKeySecret secret, int times) {
        verify(instance, secret, times, "ledger:write", "INSUFFICIENT_PERMISSIONS");
    }

    private static void verify(SpendSyncInstance instance, ApiKeySecret secret, int times, String permission,
                               String expectedCode) {
        for (int i = 0; i < times; i++) {
            assertThat(instance.api().verify(secret.reveal(), permission).text("code")).isEqualTo(expectedCode);
        }
    }

    private static JsonNode awaitUsageInView(SpendSyncInstance instance, String keyId, long valid, long rejected) {
        JsonNode[] view = new JsonNode[1];
        await().atMost(PROJECTION).untilAsserted(() -> {
            view[0] = instance.api().get("/v1/keys/" + keyId).json();
            assertThat(view[0].path("usage").path("total").asLong()).isEqualTo(valid);
            assertThat(view[0].path("usage").path("rejected").asLong()).isEqualTo(rejected);
        });
        if (valid > 0) {
            assertThat(view[0].path("lastUsedAt").isTextual()).as(view[0].toString()).isTrue();
        }
        return view[0];
    }

    private static void assertNothingLeftToFlush(SpendSyncInstance instance, ApiKeySecret secret) {
        StringRedisTemplate redis = instance.bean(StringRedisTemplate.class);
        assertThat(redis.hasKey(ValidationViewKeys.usage(secret.hash()))).isFalse();
        assertThat(redis.hasKey(ValidationViewKeys.pendingUsage(secret.hash()))).isFalse();
    }

    /** A count summed over every batch of the given usage events. */
    private static long sum(List<JsonNode> usageEvents, String count) {
        return usageEvents.stream()
                .flatMap(event -> StreamSupport.stream(event.path("batches").spliterator(), false))
                .mapToLong(batch -> batch.path(count).asLong())
                .sum();
    }

    private static ApiKeySecret secret(String plaintext) {
        return ApiKeySecret.parse(plaintext).orElseThrow();
    }
}
