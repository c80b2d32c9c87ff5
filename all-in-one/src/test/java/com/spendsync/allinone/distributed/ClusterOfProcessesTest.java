package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.spendsync.alerting.AlertingProjectorApplication;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.DistributedServices;
import com.spendsync.allinone.support.DistributedServices.ServiceProcess;
import com.spendsync.allinone.support.NginxFront;
import com.spendsync.command.CommandSideApplication;
import com.spendsync.query.QuerySideApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed mode as it is deployed, each part a JVM of its own on this machine: infra mode running the
 * embedded MongoDB-wire server and Redis, two command sides, two query sides and an alerting projector, each with its
 * own node id, and Debian's nginx in front (without nginx, saying so, the test calls the services directly). The two
 * instances of a service share every projection's segments half and half. A query side is killed with SIGKILL: it
 * releases nothing, and the other claims its segments once their claims time out; keys created and revoked meanwhile
 * reach the survivor's views, none lost, none applied twice, and every verification is counted exactly once,
 * whichever query side answered it and whichever command side flushed it.
 */
class ClusterOfProcessesTest {

    private static final Logger log = LoggerFactory.getLogger(ClusterOfProcessesTest.class);
    private static final Duration PROJECTION = Duration.ofSeconds(30);

    private final Map<String, AtomicLong> validUses = new ConcurrentHashMap<>();

    @Test
    void theInstancesShareTheWorkAndAKilledQuerySideIsTakenOver() {
        try (DistributedServices services = DistributedServices.onInfraProcess()) {
            Map<String, String> flushEverySecond = Map.of("SPENDSYNC_USAGE_FLUSH_INTERVAL", "PT1S");
            ServiceProcess commands = services.startProcess(CommandSideApplication.class, flushEverySecond);
            ServiceProcess otherCommands = services.startProcess(CommandSideApplication.class, flushEverySecond);
            ServiceProcess queries = services.startProcess(QuerySideApplication.class, Map.of());
            ServiceProcess survivor = services.startProcess(QuerySideApplication.class, Map.of());
            ServiceProcess alerting = services.startProcess(AlertingProjectorApplication.class, flushEverySecond);
            List.of(commands, otherCommands, queries, survivor, alerting).forEach(ServiceProcess::awaitReady);
            Optional<Path> nginx = NginxFront.binary();
            if (nginx.isEmpty()) {
                log.warn("no nginx on this machine (apt-get install nginx): the services are called directly");
            }
            try (NginxFront front = nginx.map(binary -> NginxFront.start(binary, Map.of(
                    "spendsync_commands", List.of(commands.port(), otherCommands.port()),
                    "spendsync_queries", List.of(queries.port(), survivor.port()),
                    "spendsync_alerts", List.of(alerting.port())))).orElse(null)) {
                Api entry = front != null ? front.api(services.rootKey().reveal()) : null;
                Instant started = Instant.now();
                awaitSegmentsShared(commands, otherCommands, services.mongoUri());
                awaitSegmentsShared(queries, survivor, services.mongoUri());
                log.info("every projection's segments shared by both instances of each service {} ms after all were"
                        + " ready", Duration.between(started, Instant.now()).toMillis());
                assertThat(alerting.api().get("/v1/admin/projections").json()).allSatisfy(projection ->
                        assertThat(projection.path("instances")).hasSize(1));
                // a reset takes every segment's token: refused while another instance runs the projection
                Api.Reply refused = queries.api().post("/v1/admin/projections/redis-validation-view/replay", null);
                assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
                assertThat(refused.text("type")).isEqualTo("urn:spendsync:problem:projection-shared");
                assertThat(refused.text("detail")).contains(survivor.node());
                assertThat(queries.api().get("/v1/admin/projections").json()).allSatisfy(projection ->
                        assertThat(projection.path("status").asText()).isEqualTo("running"));

                List<Api.Reply> before = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    Api.Reply key = create(entry != null ? entry : (i % 2 == 0 ? commands : otherCommands).api(),
                            "before", i);
                    awaitCode(queries.api(), key, "VALID");
                    awaitCode(survivor.api(), key, "VALID");
                    for (int use = 0; use <= i; use++) {
                        verify(entry != null ? entry : (use % 2 == 0 ? queries : survivor).api(), key);
                    }
                    before.add(key);
                }
                measureRevocations(entry != null ? entry : commands.api(), queries, survivor);

                queries.process().destroyForcibly();
                Instant killed = Instant.now();
                List<Api.Reply> during = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    during.add(create(entry != null ? entry : (i % 2 == 0 ? commands : otherCommands).api(),
                            "during", i));
                }
                assertThat((entry != null ? entry : otherCommands.api()).revoke(before.get(0).text("keyId"))
                        .status()).isEqualTo(200);

                awaitEverySegmentHeldBy(survivor, services.mongoUri());
                log.info("every segment claimed by the surviving query side {} ms after the other was killed",
                        Duration.between(killed, Instant.now()).toMillis());
                for (Api.Reply key : during) {
                    awaitCode(survivor.api(), key, "VALID");
                    verify(entry != null ? entry : survivor.api(), key);
                }
                awaitCode(survivor.api(), before.get(0), "REVOKED");
                await().atMost(PROJECTION).untilAsserted(() -> assertThat(survivor.api()
                        .get("/v1/keys/" + before.get(0).text("keyId")).text("status")).isEqualTo("revoked"));

                // each key's history in the view as in the event store: nothing lost, nothing applied twice
                await().atMost(PROJECTION).untilAsserted(() -> {
                    JsonNode reconciliation = survivor.api().get("/v1/admin/projections/reconciliation").json();
                    assertThat(reconciliation.path("keys").asInt())
                            .isGreaterThanOrEqualTo(before.size() + during.size());
                    assertThat(reconciliation.path("drift")).as(reconciliation.toString()).isEmpty();
                });
                // every use counted once: two query sides counted, two command sides flushed
                await().atMost(PROJECTION).untilAsserted(() -> validUses.forEach((keyId, uses) -> assertThat(
                        survivor.api().get("/v1/keys/" + keyId).json().path("usage").path("total").asLong())
                        .as("uses of " + keyId).isEqualTo(uses.get())));
            }
        }
    }

    /**
     * Until the two instances hold, between them, every segment the token store has of each of their projections,
     * half each, as both see it in their heartbeats.
     */
    private static void awaitSegmentsShared(ServiceProcess first, ServiceProcess second, String mongoUri) {
        Set<String> nodes = Set.of(first.node(), second.node());
        try (MongoClient mongo = MongoClients.create(mongoUri)) {
            var tokens = mongo.getDatabase("spendsync_audit").getCollection("trackingtokens", Document.class);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (ServiceProcess instance : List.of(first, second)) {
                    JsonNode projections = instance.api().get("/v1/admin/projections").json();
                    assertThat(projections).isNotEmpty();
                    for (JsonNode projection : projections) {
                        String name = projection.path("name").asText();
                        Map<String, Set<Integer>> held = new LinkedHashMap<>();
                        projection.path("instances").forEach(claims -> held.put(claims.path("node").asText(),
                                segments(claims.path("segments"))));
                        assertThat(held.keySet()).as(name + " as " + instance.node() + " sees it").isEqualTo(nodes);
                        Set<Integer> all = new HashSet<>();
                        held.values().forEach(all::addAll);
                        long segments = tokens.countDocuments(Filters.eq("processorName", name));
                        assertThat(all).as(name + ": every segment held, once, " + held).hasSize((int) segments)
                                .hasSize(held.values().stream().mapToInt(Set::size).sum()).isNotEmpty();
                        assertThat(held.values()).as(name + ": half each, " + held)
                                .allSatisfy(mine -> assertThat(mine).hasSize(all.size() / 2));
                        assertThat(segments(projection.path("segments"), "segment"))
                                .as(name + " processed by " + instance.node()).isEqualTo(held.get(instance.node()));
                    }
                }
            });
        }
    }

    /** Until {@code service} processes every segment the token store has of each of its projections. */
    private static void awaitEverySegmentHeldBy(ServiceProcess service, String mongoUri) {
        try (MongoClient mongo = MongoClients.create(mongoUri)) {
            var tokens = mongo.getDatabase("spendsync_audit").getCollection("trackingtokens", Document.class);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (JsonNode projection : service.api().get("/v1/admin/projections").json()) {
                    String name = projection.path("name").asText();
                    long segments = tokens.countDocuments(Filters.eq("processorName", name));
                    assertThat(segments).as(name + " in the token store").isPositive();
                    assertThat(segments(projection.path("segments"), "segment")).as(name).hasSize((int) segments);
                }
            });
        }
    }

    /** Revocations through the command sides, each until it is REVOKED at both query sides; the times logged. */
    private void measureRevocations(Api commands, ServiceProcess first, ServiceProcess second) {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Api.Reply key = create(commands, "revoked", i);
            awaitCode(first.api(), key, "VALID");
            awaitCode(second.api(), key, "VALID");
            long start = System.nanoTime();
            assertThat(commands.revoke(key.text("keyId")).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() ->
                    code(first.api(), key).equals("REVOKED") && code(second.api(), key).equals("REVOKED"));
            millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
        millis.sort(Comparator.naturalOrder());
        log.info("revocation to REVOKED at both query-side processes, 20 revocations: median {} ms, slowest {} ms",
                millis.get(millis.size() / 2), millis.get(millis.size() - 1));
    }

    private Api.Reply create(Api commands, String owner, int index) {
        Api.Reply created = commands.createKey(Map.of("ownerId", owner, "name", owner + index,
                "permissions", List.of()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        validUses.put(created.text("keyId"), new AtomicLong());
        return created;
    }

    private void verify(Api api, Api.Reply key) {
        assertThat(code(api, key)).isEqualTo("VALID");
    }

    /** The verification's code; every VALID is a use the key's view must count. */
    private String code(Api api, Api.Reply key) {
        String code = api.verify(key.text("key")).text("code");
        if ("VALID".equals(code)) {
            validUses.get(key.text("keyId")).incrementAndGet();
        }
        return code;
    }

    private void awaitCode(Api api, Api.Reply key, String code) {
        await().atMost(PROJECTION).until(() -> code(api, key).equals(code));
    }

    private static Set<Integer> segments(JsonNode ids) {
        Set<Integer> segments = new TreeSet<>();
        ids.forEach(id -> segments.add(id.asInt()));
        return segments;
    }

    private static Set<Integer> segments(JsonNode statuses, String field) {
        Set<Integer> segments = new TreeSet<>();
        statuses.forEach(status -> segments.add(status.path(field).asInt()));
        return segments;
    }
}
