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


            // each command side caches the key; the first instance's copy is stale after the second one's change
            assertThat(commands.patch(path, Map.of("name", "first")).status()).isEqualTo(200);
            assertThat(otherCommands.patch(path, Map.of("name", "second")).status()).isEqualTo(200);
            Api.Reply stale = commands.patch(path, Map.of("name", "third"));
            assertThat(stale.status()).as(stale.toString()).isEqualTo(409);
            assertThat(stale.text("type")).isEqualTo("urn:spendsync:problem:concurrent-modification");
            assertThat(commands.patch(path, Map.of("name", "third")).status()).as("retried").isEqualTo(200);

            commands.revoke(created.text("keyId"));
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
            Instant due = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
            List<String> expiring = new ArrayList<>();
            List<String> rotated = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expiring.add(commands.createKey(Map.of("ownerId", "deadlines", "name", "expiring " + i,
                        "permissions", List.of(), "expiresAt", due.toString())).text("keyId"));
                String keyId = commands.createKey(Map.of("ownerId", "deadlines", "name", "rotated " + i,
                        "permissions", List.of())).text("keyId");
                assertThat(otherCommands.rotate(keyId, 2L).status()).isEqualTo(200);
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
