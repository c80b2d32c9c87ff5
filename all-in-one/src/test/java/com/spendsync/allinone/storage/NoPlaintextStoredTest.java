package com.spendsync.allinone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SpendSyncInstance;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A plaintext key exists in memory during creation, rotation and verification only. After a whole lifecycle, no
 * MongoDB document, Redis value, data file on disk, log line or error answer contains any of the secrets handed out.
 */
@ExtendWith(OutputCaptureExtension.class)
class NoPlaintextStoredTest {

    @Test
    void noSecretIsInStorageFilesLogsOrErrors(CapturedOutput output) throws IOException {
        List<String> secrets = new ArrayList<>();
        Path dataDirectory;
        try (SpendSyncInstance instance = SpendSyncInstance.builder().start()) {
            Api api = instance.api();
            secrets.add(instance.rootKey().reveal());
            Api.Reply created = api.createKey(Map.of("ownerId", "scan", "name", "scanned key",
                    "permissions", List.of("payments:read"), "rateLimit", Map.of("limit", 5, "windowSeconds", 60)));
            String keyId = created.text("keyId");
            secrets.add(created.text("key"));
            awaitValid(api, created.text("key"));
            String rotated = api.rotate(keyId, 3600L).text("key");
            secrets.add(rotated);
            awaitValid(api, rotated);
            api.verify(created.text("key"), "payments:read");
            Api.Reply malformed = api.verify(tamperedCopyOf(rotated));
            assertThat(malformed.text("code")).isEqualTo("MALFORMED");
            Api.Reply badRequest = api.post("/v1/keys/verify", Map.of("key", rotated, "cost", 0));
            assertThat(badRequest.status()).isEqualTo(400);
            api.revoke(keyId);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(api.verify(rotated).text("code")).isEqualTo("REVOKED"));

            assertThat(malformed.body()).doesNotContain(tamperedCopyOf(rotated));
            assertThat(badRequest.body()).doesNotContain(rotated);
            String everythingStored = mongoContents(instance.mongoUri()) + redisContents(instance.redisUri());
            assertThat(everythingStored).contains(keyId);
            assertNoSecretIn(everythingStored, secrets);
            dataDirectory = instance.dataDirectory();
        }
        assertNoSecretIn(filesUnder(dataDirectory), secrets);
        assertNoSecretIn(output.getAll(), secrets);
    }

    private static void assertNoSecretIn(String text, List<String> secrets) {
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret)
                    // a secret's random part alone would leak it as surely as the whole key
                    .doesNotContain(secret.substring(8, 51));
        }
    }

    private static String tamperedCopyOf(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    private static void awaitValid(Api api, String key) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(api.verify(key).text("code")).isEqualTo("VALID"));
    }

    private static String mongoContents(String uri) {
        StringBuilder all = new StringBuilder();
        try (MongoClient client = MongoClients.create(uri)) {
            for (String databaseName : client.listDatabaseNames()) {
                MongoDatabase database = client.getDatabase(databaseName);
                for (String collection : database.listCollectionNames()) {
                    for (Document document : database.getCollection(collection).find().sort(Sorts.ascending("_id"))) {
                        all.append(document.toJson()).append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    private static String redisContents(String uri) {
        RedisClient client = RedisClient.create(uri);
        try (var connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            StringBuilder all = new StringBuilder();
            for (String key : redis.keys("*")) {
                all.append(key).append(' ');
                switch (redis.type(key)) {
                    case "string" -> all.append(redis.get(key));
                    case "hash" -> all.append(redis.hgetall(key));
                    case "set" -> all.append(redis.smembers(key));
                    case "list" -> all.append(redis.lrange(key, 0, -1));
                    case "zset" -> all.append(redis.zrange(key, 0, -1));
                    default -> all.append("?");
                }
                all.append('\n');
            }
            return all.toString();
        } finally {
            client.shutdown();
        }
    }

    /** The H2 store of the MongoDB-wire server and Redis's append-only file, read as raw bytes. */
    private static String filesUnder(Path directory) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(all).as("the data files were read").isNotEmpty();
        return all.toString();
    }
}
