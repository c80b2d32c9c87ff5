package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.DistributedServices;
import com.spendsync.allinone.support.Ports;
import com.spendsync.command.CommandSideApplication;
import com.spendsync.query.QuerySideApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two query sides, each a JVM of its own, share the query side's projections through the token store's segment
 * claims. One is killed with SIGKILL: it releases nothing, and its segments are claimed by the other once their
 * claims time out. Keys created and revoked meanwhile reach the survivor's views, none lost, none applied twice.
 */
class SegmentTakeoverTest {

    private static final Logger log = LoggerFactory.getLogger(SegmentTakeoverTest.class);

    @Test
    void theSegmentsOfAKilledQuerySideAreClaimedByTheOther() throws Exception {
        try (DistributedServices services = new DistributedServices()) {
            Api commands = services.api(services.start(CommandSideApplication.class));
            Path logs = Files.createTempDirectory("spendsync-query-sides");
            int firstPort = Ports.free();
            Process first = services.startProcess(QuerySideApplication.class, firstPort, logs.resolve("first.log"));
            Api firstApi = new Api("http://127.0.0.1:" + firstPort, services.rootKey().reveal());
            awaitClaimsEverySegment(firstApi, first, logs.resolve("first.log"), services.servers().mongoUri());
            int secondPort = Ports.free();
            Process second = services.startProcess(QuerySideApplication.class, secondPort,
                    logs.resolve("second.log"));
            Api secondApi = new Api("http://127.0.0.1:" + secondPort, services.rootKey().reveal());
            await().atMost(Duration.ofSeconds(90)).until(() -> ready(secondApi, second, logs.resolve("second.log")));

            List<Api.Reply> before = createKeys(commands, "before", 5);
            before.forEach(key -> awaitCode(secondApi, key.text("key"), "VALID"));

            first.destroyForcibly();
            Instant killed = Instant.now();
            first.waitFor();
            List<Api.Reply> during = createKeys(commands, "during", 5);
            commands.revoke(before.get(0).text("keyId"));

            awaitClaimsEverySegment(secondApi, second, logs.resolve("second.log"), services.servers().mongoUri());
            log.info("every segment claimed by the survivor {} ms after the other query side was killed",
                    Duration.between(killed, Instant.now()).toMillis());
            for (Api.Reply key : during) {
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        secondApi.get("/v1/keys/" + key.text("keyId")).status() == 200);
                awaitCode(secondApi, key.text("key"), "VALID");
            }
            awaitCode(secondApi, before.get(0).text("key"), "REVOKED");
            await().atMost(Duration.ofSeconds(30)).until(() -> secondApi.get(
                    "/v1/keys/" + before.get(0).text("keyId")).text("status").equals("revoked"));
            // each key's history in the view as in the event store: nothing lost, nothing applied twice
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode reconciliation = secondApi.get("/v1/admin/projections/reconciliation").json();
                assertThat(reconciliation.path("keys").asInt()).isGreaterThanOrEqualTo(before.size() + during.size());
                assertThat(reconciliation.path("drift")).as(reconciliation.toString()).isEmpty();
            });
        }
    }

    /** Until the query side holds every segment the token store has of each of its projections. */
    private static void awaitClaimsEverySegment(Api api, Process process, Path logFile, String mongoUri) {
        await().atMost(Duration.ofSeconds(90)).until(() -> ready(api, process, logFile));
        try (MongoClient mongo = MongoClients.create(mongoUri)) {
            MongoCollection<Document> tokens = mongo.getDatabase("spendsync_audit").getCollection("trackingtokens");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (JsonNode projection : api.get("/v1/admin/projections").json()) {
                    String name = projection.path("name").asText();
                    Set<Integer> claimed = new TreeSet<>();
                    projection.path("segments").forEach(segment -> claimed.add(segment.path("segment").asInt()));
                    long segments = tokens.countDocuments(Filters.eq("processorName", name));
                    assertThat(segments).as(name + " in the token store").isPositive();
                    assertThat(claimed).as(name).hasSize((int) segments);
                }
            });
        }
    }

    private static boolean ready(Api api, Process process, Path logFile) throws IOException {
        assertThat(process.isAlive()).as("query side died: " + Files.readString(logFile)).isTrue();
        try {
            return api.send("GET", "/actuator/health/readiness", null, null).status() == 200;
        } catch (RuntimeException notListening) {
            return false;
        }
    }

    private static List<Api.Reply> createKeys(Api commands, String owner, int count) {
        List<Api.Reply> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Api.Reply created = commands.createKey(Map.of("ownerId", owner, "name", owner + i,
                    "permissions", List.of()));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            keys.add(created);
        }
        return keys;
    }

    private static void awaitCode(Api api, String key, String code) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.verify(key).text("code")).isEqualTo(code));
    }

}
