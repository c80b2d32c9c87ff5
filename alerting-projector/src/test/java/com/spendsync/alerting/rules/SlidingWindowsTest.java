package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.spendsync.embedded.EmbeddedMongo;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** The windows of the counting rules, on the embedded MongoDB-wire server. */
class SlidingWindowsTest {

    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    private static final Instant T0 = Instant.parse("2030-01-01T12:00:00.250Z");

    private static EmbeddedMongo server;
    private static MongoClient client;
    private static MongoTemplate mongo;
    private SlidingWindows windows;

    @BeforeAll
    static void start() throws IOException {
        server = EmbeddedMongo.start(Files.createTempDirectory("sliding-windows"), 0);
        client = MongoClients.create(server.uri());
        mongo = new MongoTemplate(client, "alerting");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @BeforeEach
    void emptyWindows() {
        windows = new SlidingWindows(mongo);
        windows.removeAll();
    }

    @Test
    void aWindowSumsTheCountsOfItsLengthUpToTheEventsOwnTime() {
        assertThat(windows.add("brute-force", "203.0.113.9", "e1", 3, T0, FIVE_MINUTES)).isEqualTo(3);
        assertThat(windows.add("brute-force", "203.0.113.9", "e2", 4, T0.plus(Duration.ofMinutes(2)), FIVE_MINUTES))
                .isEqualTo(7);

        assertThat(windows.add("brute-force", "203.0.113.9", "e3", 1, T0.plus(Duration.ofMinutes(6)), FIVE_MINUTES))
                .as("e1 has left the window").isEqualTo(5);
    }

    @Test
    void anEventDeliveredAgainCountsOnce() {
        windows.add("brute-force", "203.0.113.9", "e1", 3, T0, FIVE_MINUTES);

        assertThat(windows.add("brute-force", "203.0.113.9", "e1", 3, T0, FIVE_MINUTES)).isEqualTo(3);
    }

    @Test
    void eachRuleAndSubjectHasAWindowOfItsOwn() {
        windows.add("brute-force", "203.0.113.9", "e1", 3, T0, FIVE_MINUTES);
        windows.add("brute-force", "198.51.100.7", "e2", 4, T0, FIVE_MINUTES);

        assertThat(windows.add("brute-force:*", "*", "e1", 3, T0, FIVE_MINUTES)).isEqualTo(3);
        assertThat(windows.add("brute-force", "*", "e3", 5, T0, FIVE_MINUTES)).isEqualTo(5);
    }

    @Test
    void theEventsOfOneSecondShareOneEntrySoAWindowFedByManySourcesStaysSmall() {
        for (int source = 0; source < 50; source++) {
            windows.add("brute-force:*", "*", "e" + source, 2, T0.plusMillis(source * 10L), FIVE_MINUTES);
        }

        assertThat(windows.add("brute-force:*", "*", "e50", 2, T0.plusMillis(600), FIVE_MINUTES)).isEqualTo(102);
        assertThat(mongo.count(Query.query(Criteria.where("rule").is("brute-force:*")), SlidingWindows.COLLECTION))
                .isEqualTo(1);
    }
}
