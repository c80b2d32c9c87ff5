package com.spendsync.allinone.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.AuditExports;
import com.spendsync.allinone.support.EventStoreProbe;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The audit view: one entry per event in the store, newest first, filtered, paged with cursors that stay stable while
 * entries keep arriving, exported as NDJSON and CSV, with masked fields and never a hash; reads of it are audited.
 */
@ExtendWith(SharedSpendSync.class)
class AuditLogTest {

    private static final Duration PROJECTION = Duration.ofSeconds(20);
    /** A bound for the view to catch up with a few thousand events written at full speed on the embedded server. */
    private static final Duration BACKLOG = Duration.ofSeconds(90);
    private static final String LISTING = "/v1/audit-logs";
    private static final String EXPORT = "/v1/audit-logs/export";
    private static final String BOOTSTRAP_KEY_ID = "key_bootstrapRootKey000000";
    private static final String DEADLINES = "system:deadlines";
    private static final List<String> ITEM_FIELDS = List.of("eventId", "eventType", "severity", "userId", "actor",
            "resourceType", "resourceId", "timestamp", "metadata", "service", "environment");
    /** Newest first: by timestamp, then by event id, both descending. */
    private static final Comparator<JsonNode> NEWEST_FIRST = Comparator
            .comparing((JsonNode entry) -> Instant.parse(entry.path("timestamp").asText()))
            .thenComparing(entry -> entry.path("eventId").asText()).reversed();

    private static Api api;
    private static EventStoreProbe eventStore;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        api = shared.api();
        eventStore = new EventStoreProbe(shared.mongoUri());
    }

    @AfterAll
    static void disconnect() {
        if (eventStore != null) {
            eventStore.close();
        }
    }

    // ---------------------------------------------------------------- what is recorded

    @Test
    void everyKeyEventIsRecordedWithItsOwnerActorSeverityAndService() {
        String owner = owner("lifecycle");
        String expiring = createKey(Map.of("ownerId", owner, "name", "expiring", "permissions", List.of(),
                "expiresAt", Instant.now().plusSeconds(3).toString()));
        String keyId = createKey(Map.of("ownerId", owner, "name", "audited", "permissions", List.of("payments:read"),
                "environment", "test"));
        api.patch("/v1/keys/" + keyId, Map.of("name", "renamed"));
        api.rotate(keyId, 1L);
        awaitEntries("resourceId=" + keyId + "&eventType=ApiKeyRotationGraceEnded", 1);
        api.revoke(keyId);

        List<JsonNode> history = awaitEntries("resourceId=" + keyId, 5);
        List<JsonNode> expiry = awaitEntries("resourceId=" + expiring, 2);
        List<JsonNode> owners = awaitEntries("userId=" + owner, 7);

        assertThat(history).extracting(entry -> entry.path("eventType").asText()).containsExactly("ApiKeyRevoked",
                "ApiKeyRotationGraceEnded", "ApiKeyRotated", "ApiKeyUpdated", "ApiKeyCreated");
        assertThat(history).extracting(entry -> entry.path("severity").asText())
                .containsExactly("WARNING", "INFO", "INFO", "INFO", "INFO");
        assertThat(history).extracting(entry -> entry.path("actor").asText())
                .containsExactly(BOOTSTRAP_KEY_ID, DEADLINES, BOOTSTRAP_KEY_ID, BOOTSTRAP_KEY_ID, BOOTSTRAP_KEY_ID);
        assertThat(history).allSatisfy(entry -> assertThat(entry.path("environment").asText()).isEqualTo("test"));
        assertThat(expiry).extracting(entry -> entry.path("eventType").asText() + " " + entry.path("severity").asText()
                + " " + entry.path("actor").asText()).containsExactly("ApiKeyExpired WARNING " + DEADLINES,
                "ApiKeyCreated INFO " + BOOTSTRAP_KEY_ID);
        assertThat(expiry).allSatisfy(entry -> assertThat(entry.path("environment").asText()).isEqualTo("live"));
        assertThat(owners).isSortedAccordingTo(NEWEST_FIRST).allSatisfy(entry -> {
            assertThat(entry.path("userId").asText()).isEqualTo(owner);
            assertThat(entry.path("resourceType").asText()).isEqualTo("api_key");
            assertThat(entry.path("service").asText()).isEqualTo("command-side");
            assertThat(fieldNames(entry)).containsExactlyElementsOf(ITEM_FIELDS);
        });
        assertThat(history.get(4).path("metadata").path("ownerId").asText()).isEqualTo(owner);
        assertThat(history.get(4).path("metadata").path("source").asText()).isNotBlank();
    }

    @Test
    void eachFilterReturnsExactlyTheEntriesThatMatchIt() {
        String ownerA = owner("filter-a");
        String ownerB = owner("filter-b");
        RootKey creator = workingRootKey("keys:create");
        String first = createKey(keyRequest(ownerA));
        String second = createKey(keyRequest(ownerB));
        assertThat(api.send("POST", "/v1/keys", keyRequest(ownerA), creator.key()).status()).isEqualTo(201);
        api.revoke(first);
        List<JsonNode> dataset = new ArrayList<>(awaitEntries("userId=" + ownerA, 3));
        dataset.addAll(awaitEntries("userId=" + ownerB, 1));
        Instant middle = timestampOf(dataset.get(1));

        assertFilter(dataset, "userId=" + ownerA, entry -> entry.path("userId").asText().equals(ownerA));
        assertFilter(dataset, "actor=" + creator.keyId(), entry -> entry.path("actor").asText().equals(creator.keyId()));
        assertFilter(dataset, "userId=" + ownerA + "&eventType=ApiKeyRevoked",
                entry -> entry.path("resourceId").asText().equals(first)
                        && entry.path("eventType").asText().equals("ApiKeyRevoked"));
        assertFilter(dataset, "userId=" + ownerA + "&severity=WARNING",
                entry -> entry.path("eventType").asText().equals("ApiKeyRevoked"));
        assertFilter(dataset, "resourceType=api_key&resourceId=" + second,
                entry -> entry.path("resourceId").asText().equals(second));
        assertFilter(dataset, "userId=" + ownerA + "&resourceType=audit_log", entry -> false);
        assertFilter(dataset, "userId=" + ownerA + "&from=" + middle,
                entry -> entry.path("userId").asText().equals(ownerA) && !timestampOf(entry).isBefore(middle));
        assertFilter(dataset, "userId=" + ownerA + "&to=" + middle,
                entry -> entry.path("userId").asText().equals(ownerA) && !timestampOf(entry).isAfter(middle));
        assertFilter(dataset, "userId=" + ownerA + "&from=" + middle + "&to=" + middle,
                entry -> entry.path("userId").asText().equals(ownerA) && timestampOf(entry).equals(middle));
    }

    @Test
    void maskedFieldsShowStarsAtAnyDepth() {
        String keyId = createKey(Map.of("ownerId", owner("masked"), "name", "masked", "permissions", List.of(),
                "metadata", Map.of("email", "a@b.c", "team", "ledger", "nested", Map.of("phone", "123"))));

        JsonNode metadata = awaitEntries("resourceId=" + keyId, 1).get(0).path("metadata").path("metadata");

        assertThat(metadata.path("email").asText()).isEqualTo("***");
        assertThat(metadata.path("nested").path("phone").asText()).isEqualTo("***");
        assertThat(metadata.path("team").asText()).isEqualTo("ledger");
        assertThat(Stream.of(listing("resourceId=" + keyId).body(), export("ndjson", "resourceId=" + keyId).body(),
                export("csv", "resourceId=" + keyId).body())).noneMatch(output -> output.contains("a@b.c"));
    }

    @Test
    void noAuditOutputHoldsAHash() {
        Api.Reply created = api.createKey(keyRequest(owner("secretless")));
        String keyId = created.text("keyId");
        String rotatedKey = api.rotate(keyId, 3600L).text("key");
        api.patch("/v1/keys/" + keyId, Map.of("name", "renamed"));
        api.revoke(keyId);
        awaitEntries("resourceId=" + keyId, 4);
        List<String> hashes = Stream.of(created.text("key"), rotatedKey)
                .map(key -> ApiKeySecret.parse(key).orElseThrow().hash().hex()).toList();

        List<String> outputs = List.of(listing("resourceId=" + keyId).body(),
                export("ndjson", "resourceId=" + keyId).body(), export("csv", "resourceId=" + keyId).body());
        JsonNode newest = listing("limit=200").json().path("items");

        assertThat(outputs).allSatisfy(output -> {
            // the NDJSON export's chainHash is the stored event's link on its chain, not a secret's hash
            assertThat(output.replace("\"chainHash\":", "")).doesNotContainIgnoringCase("hash");
            hashes.forEach(hash -> assertThat(output).doesNotContain(hash));
        });
        assertThat(fieldNamesAtAnyDepth(newest)).noneMatch(name -> name.toLowerCase(Locale.ROOT).endsWith("hash"));
    }

    // ---------------------------------------------------------------- paging

    @Test
    void pagesHoldEveryEntryOnceWhileNewEntriesKeepArriving() throws Exception {
        String owner = owner("pager");
        int keys = 300;
        int updatesPerKey = 6;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            // one task per key, so no two requests change one key at once
            List<String> keyIds = inParallel(pool, keys, i -> () -> {
                String keyId = createKey(keyRequest(owner));
                for (int update = 0; update < updatesPerKey; update++) {
                    updateName(keyId, "update " + update);
                }
                return keyId;
            });
            int existing = keys * (1 + updatesPerKey);
            List<String> before = await().atMost(BACKLOG).pollInterval(Duration.ofMillis(500))
                    .until(() -> eventIds(AuditExports.ndjson(export("ndjson", "userId=" + owner).body())),
                            ids -> ids.size() == existing);

            Semaphore written = new Semaphore(0);
            AtomicBoolean pagingDone = new AtomicBoolean();
            Future<Integer> writer = pool.submit(() -> {
                int writes = 0;
                for (; writes < 200 && !pagingDone.get(); writes++) {
                    if (writes % 2 == 0) {
                        createKey(keyRequest(owner));
                    } else {
                        updateName(keyIds.get(writes), "concurrent " + writes);
                    }
                    written.release();
                }
                return writes;
            });
            assertThat(written.tryAcquire(30, TimeUnit.SECONDS)).as("the writer has started").isTrue();
            List<JsonNode> seen = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = listing("userId=" + owner + "&limit=97" + (cursor == null ? "" : "&cursor=" + cursor))
                        .json();
                page.path("items").forEach(seen::add);
                cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
                // at least one write lands between any two pages; the bound only stops a broken writer hanging the run
                assertThat(written.tryAcquire(30, TimeUnit.SECONDS)).as("the writer keeps writing").isTrue();
            } while (cursor != null);
            pagingDone.set(true);

            assertThat(writer.get()).isPositive();
            assertThat(eventIds(seen)).doesNotHaveDuplicates().containsAll(before);
            assertThat(seen).isSortedAccordingTo(NEWEST_FIRST);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ndjson", "csv"})
    void anExportHoldsExactlyTheListedEntries(String format) {
        String owner = owner("export-" + format);
        for (String name : List.of("plain", "quoted, \"name\"", "third")) {
            String keyId = createKey(Map.of("ownerId", owner, "name", name, "permissions", List.of()));
            api.patch("/v1/keys/" + keyId, Map.of("metadata", Map.of("note", "line one,\nline \"two\"")));
        }
        List<JsonNode> listed = awaitEntries("userId=" + owner, 6);

        Api.Reply export = export(format, "userId=" + owner);

        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        assertThat(export.header("Content-Disposition")).startsWith("attachment;").contains("filename=")
                .contains("audit-logs." + format);
        List<JsonNode> exported;
        if (format.equals("ndjson")) {
            assertThat(export.header("Content-Type")).startsWith("application/x-ndjson");
            exported = AuditExports.ndjson(export.body()).stream().map(line -> {
                // beside the listing's fields, each line has its stored event's link on its chain
                assertThat(line.path("chain").asText()).isNotEmpty();
                assertThat(line.path("chainSeq").isIntegralNumber()).isTrue();
                assertThat(line.path("chainHash").asText()).hasSize(64);
                return (JsonNode) ((ObjectNode) line.deepCopy()).without(List.of("chain", "chainSeq", "chainHash"));
            }).toList();
        } else {
            assertThat(export.header("Content-Type")).startsWith("text/csv");
            List<List<String>> rows = AuditExports.csv(export.body());
            assertThat(rows.get(0)).containsExactlyElementsOf(ITEM_FIELDS);
            exported = rows.subList(1, rows.size()).stream().map(AuditLogTest::csvRowAsItem).toList();
        }
        assertThat(exported).containsExactlyElementsOf(listed);
    }

    // ---------------------------------------------------------------- reads are audited

    @Test
    void anAuditReadIsRecordedWithTheReaderAsActor() {
        RootKey reader = workingRootKey("audit:read");
        String watched = owner("watched");

        Api.Reply read = api.send("GET", LISTING + "?userId=" + watched + "&eventType=ApiKeyCreated", null,
                reader.key());
        Api.Reply exported = api.send("GET", EXPORT + "?format=csv&severity=WARNING", null, reader.key());
        List<JsonNode> reads = awaitEntries("actor=" + reader.keyId(), 2);

        assertThat(read.status()).isEqualTo(200);
        assertThat(exported.status()).isEqualTo(200);
        assertThat(reads).allSatisfy(entry -> {
            assertThat(entry.path("eventType").asText()).isEqualTo("AuditLogRead");
            assertThat(entry.path("severity").asText()).isEqualTo("INFO");
            assertThat(entry.path("resourceType").asText()).isEqualTo("audit_log");
            assertThat(entry.path("resourceId").asText()).isEqualTo(entry.path("metadata").path("readId").asText());
            assertThat(entry.path("service").asText()).isEqualTo("query-side");
            assertThat(entry.path("userId").isNull()).isTrue();
            assertThat(entry.path("metadata").path("source").asText()).isNotBlank();
        });
        Map<String, JsonNode> byFormat = new HashMap<>();
        reads.forEach(entry -> byFormat.put(entry.path("metadata").path("format").asText("listing"), entry));
        assertThat(byFormat.get("listing").path("metadata").path("filters"))
                .isEqualTo(Api.JSON.valueToTree(Map.of("userId", watched, "eventType", "ApiKeyCreated")));
        assertThat(byFormat.get("csv").path("metadata").path("filters"))
                .isEqualTo(Api.JSON.valueToTree(Map.of("severity", "WARNING")));
    }

    // ---------------------------------------------------------------- refusals

    static Stream<Arguments> badReads() {
        String foreignCursor = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("keys\nkey_0000".getBytes(StandardCharsets.UTF_8));
        String cursorWithoutInstant = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("audit-logs\nsoon\nsome-event".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                Arguments.of(LISTING + "?limit=0", "limit"),
                Arguments.of(LISTING + "?limit=201", "limit"),
                Arguments.of(LISTING + "?limit=ten", "limit"),
                Arguments.of(LISTING + "?from=yesterday", "from"),
                Arguments.of(LISTING + "?to=2030-01-31", "to"),
                Arguments.of(LISTING + "?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "from"),
                Arguments.of(LISTING + "?severity=LOUD", "severity"),
                Arguments.of(LISTING + "?eventType=" + "A".repeat(65), "eventType"),
                Arguments.of(LISTING + "?eventType=", "eventType"),
                Arguments.of(LISTING + "?resourceType=ApiKey", "resourceType"),
                Arguments.of(LISTING + "?userId=" + "u".repeat(129), "userId"),
                Arguments.of(LISTING + "?actor=" + encode("a b"), "actor"),
                Arguments.of(LISTING + "?resourceId=" + "r".repeat(129), "resourceId"),
                Arguments.of(LISTING + "?cursor=bm90LWEtY3Vyc29y", "cursor"),
                Arguments.of(LISTING + "?cursor=" + foreignCursor, "cursor"),
                Arguments.of(LISTING + "?cursor=" + cursorWithoutInstant, "cursor"),
                Arguments.of(EXPORT + "?format=xml", "format"),
                Arguments.of(EXPORT, "format"),
                Arguments.of(EXPORT + "?format=csv&to=tomorrow", "to"));
    }

    @ParameterizedTest(name = "{0} -> 400 {1}")
    @MethodSource("badReads")
    void aBadFilterOrCursorIsAProblemNamingTheFieldAndRecordsNoRead(String path, String field) {
        long eventsBefore = eventStore.lifecycleEventCount();

        Api.Reply reply = api.get(path);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.text("type")).isEqualTo("urn:spendsync:problem:invalid-request");
        assertThat(reply.json().path("errors")).extracting(error -> error.path("field").asText())
                .containsExactly(field);
        assertThat(eventStore.lifecycleEventCount()).as("events in the store").isEqualTo(eventsBefore);
    }

    @Test
    void everyBadFilterIsNamedAtOnce() {
        Api.Reply reply = api.get(LISTING + "?limit=0&severity=LOUD&from=yesterday&resourceType=ApiKey");

        assertThat(reply.json().path("errors")).extracting(error -> error.path("field").asText())
                .containsExactlyInAnyOrder("limit", "severity", "from", "resourceType");
    }

    @ParameterizedTest
    @ValueSource(strings = {LISTING, EXPORT + "?format=ndjson"})
    void readingNeedsARootKeyHoldingAuditRead(String path) {
        String keyReader = workingRootKey("keys:read").key();

        assertThat(api.send("GET", path, null, null).status()).isEqualTo(401);
        assertThat(api.send("GET", path, null, keyReader).status()).isEqualTo(403);
    }

    // ---------------------------------------------------------------- helpers

    private record RootKey(String keyId, String key) {
    }

    private static void assertFilter(List<JsonNode> dataset, String filters, Predicate<JsonNode> matches) {
        assertThat(eventIds(listAll(filters))).as(filters)
                .containsExactlyElementsOf(eventIds(dataset.stream().filter(matches).sorted(NEWEST_FIRST).toList()));
    }

    /** Every entry matching the filters, page after page. */
    private static List<JsonNode> listAll(String filters) {
        List<JsonNode> entries = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = listing(filters + "&limit=200" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("items").forEach(entries::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        return entries;
    }

    private static List<JsonNode> awaitEntries(String filters, int count) {
        return await().atMost(PROJECTION).until(() -> listAll(filters), entries -> entries.size() == count);
    }

    private static Api.Reply listing(String query) {
        Api.Reply reply = api.get(LISTING + "?" + query);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply;
    }

    private static Api.Reply export(String format, String filters) {
        return api.get(EXPORT + "?format=" + format + "&" + filters);
    }

    /** A CSV row read back into the listing's JSON: empty cells are nulls, metadata is a JSON string. */
    private static JsonNode csvRowAsItem(List<String> row) {
        Map<String, Object> item = new LinkedHashMap<>();
        for (int i = 0; i < ITEM_FIELDS.size(); i++) {
            String cell = row.get(i);
            try {
                item.put(ITEM_FIELDS.get(i), cell.isEmpty() ? null
                        : ITEM_FIELDS.get(i).equals("metadata") ? Api.JSON.readTree(cell) : cell);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Api.JSON.valueToTree(item);
    }

    /** Runs {@code count} calls on the pool and returns their results in call order. */
    private static <T> List<T> inParallel(ExecutorService pool, int count, IntFunction<Callable<T>> call)
            throws InterruptedException, ExecutionException {
        List<Future<T>> futures = pool.invokeAll(IntStream.range(0, count).mapToObj(call).toList());
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    private static String createKey(Map<String, Object> request) {
        Api.Reply reply = api.createKey(request);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return reply.text("keyId");
    }

    private static void updateName(String keyId, String name) {
        Api.Reply reply = api.patch("/v1/keys/" + keyId, Map.of("name", name));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    }

    private static RootKey workingRootKey(String... permissions) {
        Api.Reply created = api.createKey(Map.of("ownerId", owner("root"), "name", "root key",
                "permissions", List.of(permissions)));
        String key = created.text("key");
        await().atMost(PROJECTION).untilAsserted(() -> assertThat(api.verify(key).text("code")).isEqualTo("VALID"));
        return new RootKey(created.text("keyId"), key);
    }

    private static Map<String, Object> keyRequest(String owner) {
        return Map.of("ownerId", owner, "name", "audited", "permissions", List.of("payments:read"));
    }

    private static String owner(String label) {
        return "audit-" + label + "-" + UUID.randomUUID();
    }

    private static List<String> eventIds(List<JsonNode> entries) {
        return entries.stream().map(entry -> entry.path("eventId").asText()).toList();
    }

    private static Instant timestampOf(JsonNode entry) {
        return Instant.parse(entry.path("timestamp").asText());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> fieldNamesAtAnyDepth(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fields().forEachRemaining(field -> {
            names.add(field.getKey());
            names.addAll(fieldNamesAtAnyDepth(field.getValue()));
        });
        if (node.isArray()) {
            node.elements().forEachRemaining(element -> names.addAll(fieldNamesAtAnyDepth(element)));
        }
        return names;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
