package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.alerting.AlertingProjectorApplication;
import com.spendsync.allinone.support.AlertListing;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.DistributedServices;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.command.CommandSideApplication;
import com.spendsync.command.usage.UsageFlusher;
import com.spendsync.embedded.EmbeddedServers;
import com.spendsync.platform.integrity.AuditSealer;
import com.spendsync.platform.verification.ValidationViewKeys;
import com.spendsync.query.QuerySideApplication;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Distributed mode: the three services as separate applications sharing one MongoDB and one Redis (here the
 * embedded servers, started on their own as external servers would be). Keys are created on the command side and
 * verified on the query side; the alerting projector runs alongside; two command-side instances changing one key
 * meet the event store's unique index, and the loser answers 409, not 500.
 */
class DistributedModeTest {

    private static final Duration SWEEP_INTERVAL = Duration.ofMillis(200);

    @Test
    void eachServiceRunsAloneAgainstSharedServers() throws Exception {
        try (DistributedServices services = new DistributedServices()) {
            EmbeddedServers servers = services.servers();
            ConfigurableApplicationContext commandSide = start(services, CommandSideApplication.class);
            ConfigurableApplicationContext querySide = start(services, QuerySideApplication.class);
            ConfigurableApplicationContext alerting = start(services, AlertingProjectorApplication.class);
            ConfigurableApplicationContext secondCommandSide = start(services, CommandSideApplication.class);
            Api commands = services.api(commandSide);
            Api otherCommands = services.api(secondCommandSide);
            Api queries = services.api(querySide);

            Api.Reply created = await().atMost(Duration.ofSeconds(15)).until(() -> commands.createKey(
                    Map.of("ownerId", "distributed", "name", "k", "permissions", List.of("payments:read"))),
                    reply -> reply.status() == 201);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    queries.verify(created.text("key"), "payments:read").text("code")).isEqualTo("VALID"));
            String path = "/v1/keys/" + created.text("keyId");


            // each command side caches the key; the first instance's copy is stale after the second one's change,
            // which the caller, who changed nothing concurrently, never sees
            assertThat(commands.patch(path, Map.of("name", "first")).status()).isEqualTo(200);
            assertThat(otherCommands.patch(path, Map.of("name", "second")).status()).isEqualTo(200);
            Api.Reply stale = commands.patch(path, Map.of("name", "third"));
            assertThat(stale.status()).as(stale.toString()).isEqualTo(200);
            assertThat(stale.text("name")).isEqualTo("third");
            Api.Reply revoked = otherCommands.revoke(created.text("keyId"));
            assertThat(revoked.status()).as("a stale copy again, for a revocation").isEqualTo(200);

            // rotations and a revocation racing through both command sides: only 200 and 409, the stream unbroken
            Api.Reply raced = commands.createKey(Map.of("ownerId", "distributed", "name", "raced",
                    "permissions", List.of()));
            String racedId = raced.text("keyId");
            ExecutorService racers = Executors.newFixedThreadPool(2);
            List<Future<List<Integer>>> statuses = new ArrayList<>();
            for (Api side : List.of(commands, otherCommands)) {
                statuses.add(racers.submit(() -> {
                    List<Integer> seen = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        seen.add(side.rotate(racedId, 60L).status());
                    }
                    seen.add(side.revoke(racedId).status());
                    return seen;
                }));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<List<Integer>> status : statuses) {
                answered.addAll(status.get());
            }
            racers.shutdown();
            assertThat(answered).as("statuses").containsOnly(200, 409).contains(200);
            try (EventStoreProbe eventStore = new EventStoreProbe(services.servers().mongoUri())) {
                List<Long> sequence = eventStore.eventsOf(racedId).stream()
                        .map(event -> ((Number) event.get("sequenceNumber")).longValue()).toList();
                assertThat(sequence).as("sequence numbers").isEqualTo(LongStream.range(0, sequence.size()).boxed()
                        .toList());
                assertThat(eventStore.lifecycleTypesOf(racedId)).containsOnlyOnce("ApiKeyRevokedEvent")
                        .endsWith("ApiKeyRevokedEvent");
            }

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    queries.verify(created.text("key")).text("code")).isEqualTo("REVOKED"));
            assertThat(services.api(alerting).send("GET", "/actuator/health", null, null).status()).isEqualTo(200);
            // the alerting projector, on its own, raises the alert of a root key the command side created
            String rootKeyId = commands.createKey(Map.of("ownerId", "distributed", "name", "operator",
                    "permissions", List.of("keys:read"))).text("keyId");
            AlertListing.awaitAlert(services.api(alerting), "privilege-change:" + rootKeyId);

            // every service that appended sealed it, with the installation's one key: the trail verifies whole,
            // the key's chain included, which both command sides appended to
            assertThat(commandSide.getBean(AuditSealer.class).sealNow()).isNotNull();
            assertThat(secondCommandSide.getBean(AuditSealer.class).sealNow().heads())
                    .anySatisfy(head -> assertThat(head.chain()).isEqualTo(created.text("keyId")));
            assertThat(alerting.getBean(AuditSealer.class).sealNow()).isNotNull();
            JsonNode integrity = queries.get("/v1/audit-logs/integrity").json();
            assertThat(integrity.path("verified").asBoolean()).as(integrity.toString()).isTrue();
            assertThat(integrity.path("sealsChecked").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(integrity.findValuesAsText("kind")).containsOnly("unsealed");

            // usage: one command side flushes per window, the other records nothing meanwhile; the counts are exact
            Api.Reply used = commands.createKey(Map.of("ownerId", "distributed", "name", "used",
                    "permissions", List.of("payments:read")));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    queries.verify(used.text("key"), "payments:read").text("code")).isEqualTo("VALID"));
            StringRedisTemplate redis = commandSide.getBean(StringRedisTemplate.class);
            UsageFlusher first = commandSide.getBean(UsageFlusher.class);
            UsageFlusher second = secondCommandSide.getBean(UsageFlusher.class);
            redis.delete(ValidationViewKeys.USAGE_FLUSH_WINDOW);
            assertThat(first.flush()).isTrue();
            queries.verify(used.text("key"), "payments:read");
            queries.verify(used.text("key"), "payments:read");
            assertThat(second.flush()).as("the other instance holds the window").isFalse();
            assertThat(first.flush()).as("its holder keeps it").isTrue();
            redis.delete(ValidationViewKeys.USAGE_FLUSH_WINDOW);
            queries.verify(used.text("key"), "payments:read");
            assertThat(second.flush()).as("once the holder let go").isTrue();
            try (EventStoreProbe eventStore = new EventStoreProbe(servers.mongoUri())) {
                List<JsonNode> usage = eventStore.usageEventsOf(used.text("keyId"));
                assertThat(usage).hasSize(3);
                assertThat(usage.stream().flatMap(event -> StreamSupport.stream(event.path("batches").spliterator(), false))
                        .mapToLong(batch -> batch.path("validUses").asLong()).sum()).isEqualTo(4);
            }

            // deadlines: both command sides sweep the same due keys; each expiry and grace end is recorded once
            // far enough ahead for the ten creates and five rotations below on a loaded machine
            Instant due = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.MILLIS);
            List<String> expiring = new ArrayList<>();
            List<String> rotated = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expiring.add(commands.createKey(Map.of("ownerId", "deadlines", "name", "expiring " + i,
                        "permissions", List.of(), "expiresAt", due.toString())).text("keyId"));
                String keyId = commands.createKey(Map.of("ownerId", "deadlines", "name", "rotated " + i,
                        "permissions", List.of())).text("keyId");
                assertThat(otherCommands.rotate(keyId, 6L).status()).isEqualTo(200);
                rotated.add(keyId);
            }
            try (EventStoreProbe eventStore = new EventStoreProbe(servers.mongoUri())) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    for (String keyId : expiring) {
                        assertThat(eventStore.lifecycleTypesOf(keyId)).contains("ApiKeyExpiredEvent");
                    }
                    for (String keyId : rotated) {
                        assertThat(eventStore.lifecycleTypesOf(keyId)).contains("ApiKeyRotationGraceEndedEvent");
                    }
                });
                // and stays so through several more sweeps of each instance
                await().during(SWEEP_INTERVAL.multipliedBy(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    for (String keyId : expiring) {
                        assertThat(eventStore.lifecycleTypesOf(keyId)).as(keyId)
                                .containsExactly("ApiKeyCreatedEvent", "ApiKeyExpiredEvent");
                    }
                    for (String keyId : rotated) {
                        assertThat(eventStore.lifecycleTypesOf(keyId)).as(keyId).containsExactly(
                                "ApiKeyCreatedEvent", "ApiKeyRotatedEvent", "ApiKeyRotationGraceEndedEvent");
                    }
                });
            }
        }
    }

    private static ConfigurableApplicationContext start(DistributedServices services, Class<?> service) {
        // no scheduled flush but the first at start: the test flushes usage itself
        return services.start(service, "SPENDSYNC_USAGE_FLUSH_INTERVAL=PT1H",
                "spendsync.deadlines.sweep-interval=" + SWEEP_INTERVAL);
    }
}
