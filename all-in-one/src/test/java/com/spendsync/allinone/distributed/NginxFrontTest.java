package com.spendsync.allinone.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spendsync.alerting.AlertingProjectorApplication;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.DistributedServices;
import com.spendsync.allinone.support.NginxFront;
import com.spendsync.command.CommandSideApplication;
import com.spendsync.embedded.EmbeddedRedis;
import com.spendsync.platform.verification.KeyVerifier;
import com.spendsync.query.QuerySideApplication;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Debian's nginx with deploy/nginx/spendsync.conf in front of a command side, two query sides and an alerting
 * projector: one address routes every call to the service that serves it, verification is spread over both query
 * sides and goes on when one stops or when Redis does, and a revocation through the command side reaches both
 * query sides. Skipped,
 * saying so, where no nginx is installed (.ci/run installs it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxFrontTest {

    private static final Logger log = LoggerFactory.getLogger(NginxFrontTest.class);

    private DistributedServices services;
    private ConfigurableApplicationContext commandSide;
    private ConfigurableApplicationContext querySide;
    private ConfigurableApplicationContext otherQuerySide;
    private ConfigurableApplicationContext alerting;
    private NginxFront nginx;
    /** The Redis started again after the outage test stopped the first; the later tests use it. */
    private EmbeddedRedis restartedRedis;
    private Api front;

    @BeforeAll
    void start() throws Exception {
        Optional<Path> binary = NginxFront.binary();
        Assumptions.assumeTrue(binary.isPresent(), "no nginx on this machine (apt-get install nginx): skipped");
        services = new DistributedServices();
        commandSide = services.start(CommandSideApplication.class);
        querySide = services.start(QuerySideApplication.class);
        otherQuerySide = services.start(QuerySideApplication.class);
        alerting = services.start(AlertingProjectorApplication.class);
        nginx = startNginx(binary.get());
    }

    @AfterAll
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (services != null) {
            services.close();
        }
        if (restartedRedis != null) {
            restartedRedis.close();
        }
    }

    @Test
    @Order(1)
    void oneAddressServesEveryCallAndSpreadsVerificationOverTheQuerySides() {
        Api.Reply created = front.createKey(Map.of("ownerId", "front", "name", "k", "permissions", List.of("a:b")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String keyId = created.text("keyId");
        String key = created.text("key");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(front.verify(key, "a:b").text("code")).isEqualTo("VALID"));
        for (int i = 0; i < 20; i++) {
            assertThat(front.verify(key, "a:b").text("code")).isEqualTo("VALID");
        }
        assertThat(verifications(querySide)).as("first query side").isPositive();
        assertThat(verifications(otherQuerySide)).as("second query side").isPositive();

        assertThat(front.patch("/v1/keys/" + keyId, Map.of("name", "renamed")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(front.get("/v1/keys/" + keyId).text("name")).isEqualTo("renamed"));
        assertThat(front.get("/v1/keys?ownerId=front").json().path("items")).hasSize(1);
        assertThat(front.get("/v1/keys/" + keyId + "/events").status()).isEqualTo(200);
        assertThat(front.get("/v1/audit-logs?userId=front").status()).isEqualTo(200);
        assertThat(front.get("/v1/alerts").status()).isEqualTo(200);
        assertThat(front.get("/actuator/health/readiness").status()).isEqualTo(200);
        Api.Reply rotated = front.rotate(keyId, 0L);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        Api.Reply nowhere = front.get("/v2/nothing");
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(nowhere.text("type")).isEqualTo("urn:spendsync:problem:not-found");
    }

    @Test
    @Order(2)
    void aRevocationReachesBothQuerySides() {
        Api first = services.api(querySide);
        Api second = services.api(otherQuerySide);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Api.Reply created = front.createKey(Map.of("ownerId", "revoked", "name", "k" + i, "permissions",
                    List.of()));
            String key = created.text("key");
            await().atMost(Duration.ofSeconds(10)).until(() -> first.verify(key).text("code").equals("VALID")
                    && second.verify(key).text("code").equals("VALID"));
            long start = System.nanoTime();
            assertThat(front.revoke(created.text("keyId")).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() ->
                    first.verify(key).text("code").equals("REVOKED")
                            && second.verify(key).text("code").equals("REVOKED"));
            millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
        millis.sort(Comparator.naturalOrder());
        log.info("revocation to REVOKED at both query sides, 20 revocations: median {} ms, slowest {} ms",
                millis.get(millis.size() / 2), millis.get(millis.size() - 1));
    }

    @Test
    @Order(3)
    void withRedisStoppedBothQuerySidesAnswerFromMongoAndRecoverWhenItReturns() throws Exception {
        Api.Reply valid = front.createKey(Map.of("ownerId", "outage", "name", "valid", "permissions", List.of()));
        Api.Reply revoked = front.createKey(Map.of("ownerId", "outage", "name", "revoked", "permissions", List.of()));
        front.revoke(revoked.text("keyId"));
        for (Api side : List.of(services.api(querySide), services.api(otherQuerySide))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(side.verify(valid.text("key")).text("code")).isEqualTo("VALID");
                assertThat(side.verify(revoked.text("key")).text("code")).isEqualTo("REVOKED");
                assertThat(side.get("/v1/keys/" + revoked.text("keyId")).text("status")).isEqualTo("revoked");
                // the MongoDB view the fallback reads: each key's segment may be with the other query side, which
                // applies it at its own pace, so one key's view says nothing of another's
                assertThat(side.get("/v1/keys/" + valid.text("keyId")).status()).isEqualTo(200);
            });
        }
        URI redis = URI.create(services.servers().redisUri());
        RedisClient client = RedisClient.create(redis.toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().shutdown(false);
        } catch (RedisException closedAsItStopped) {
            // SHUTDOWN answers by closing the connection
        } finally {
            client.shutdown();
        }

        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Api.Reply first = front.verify(valid.text("key"));
            Api.Reply second = front.verify(revoked.text("key"));
            if (first.status() != 200 || !"VALID".equals(first.text("code"))) {
                wrong.add("valid: " + first);
            }
            if (second.status() != 200 || !"REVOKED".equals(second.text("code"))) {
                wrong.add("revoked: " + second);
            }
        }
        assertThat(wrong).as("answers through nginx while Redis was down").isEmpty();
        // the command side checks root keys in Redis alone: once its cache of the key lapses, commands are refused
        Api.Reply refused = await().atMost(Duration.ofSeconds(20)).until(() -> front.createKey(Map.of(
                "ownerId", "outage", "name", "refused", "permissions", List.of())), reply -> reply.status() != 201);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        Api.Reply health = services.api(commandSide).get("/actuator/health");
        assertThat(health.status()).as("a credential that cannot be checked: " + health).isEqualTo(503);
        assertThat(health.text("type")).isEqualTo("urn:spendsync:problem:store-unavailable");

        restartedRedis = EmbeddedRedis.start(services.redisDirectory(), redis.getPort());
        for (ConfigurableApplicationContext side : List.of(querySide, otherQuerySide)) {
            KeyVerifier verifier = side.getBean(KeyVerifier.class);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(services.api(side).verify(valid.text("key")).text("code")).isEqualTo("VALID");
                assertThat(verifier.degraded()).as("back on Redis").isFalse();
            });
        }
        assertThat(front.verify(revoked.text("key")).text("code")).isEqualTo("REVOKED");
    }

    /** Last: it stops a query side. */
    @Test
    @Order(4)
    void verificationGoesOnWhenAQuerySideStops() {
        Api.Reply created = front.createKey(Map.of("ownerId", "failover", "name", "k", "permissions", List.of()));
        String key = created.text("key");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(front.verify(key).text("code")).isEqualTo("VALID"));

        otherQuerySide.close();

        for (int i = 0; i < 30; i++) {
            Api.Reply verified = front.verify(key);
            assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
            assertThat(verified.text("code")).isEqualTo("VALID");
        }
    }

    private long verifications(ConfigurableApplicationContext service) {
        return service.getBean(MeterRegistry.class).find("http.server.requests").tag("uri", "/v1/keys/verify")
                .timers().stream().mapToLong(Timer::count).sum();
    }

    private NginxFront startNginx(Path binary) {
        NginxFront started = NginxFront.start(binary, Map.of(
                "spendsync_commands", List.of(DistributedServices.port(commandSide)),
                "spendsync_queries", List.of(DistributedServices.port(querySide),
                        DistributedServices.port(otherQuerySide)),
                "spendsync_alerts", List.of(DistributedServices.port(alerting))));
        front = started.api(services.rootKey().reveal());
        return started;
    }
}
