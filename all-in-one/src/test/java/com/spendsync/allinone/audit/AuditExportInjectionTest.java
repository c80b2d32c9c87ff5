package com.spendsync.allinone.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.AuditExports;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.security.AccessFailures;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code source} of a verification is whatever the gateway passed, and it becomes the {@code resourceId} of an
 * audit entry: a CSV export opened in a spreadsheet must not run it as a formula; an NDJSON export keeps it exact.
 */
@ExtendWith(SharedSpendSync.class)
class AuditExportInjectionTest {

    private static final String EXPORT = "/v1/audit-logs/export";

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    @Test
    void aFormulaChosenAsSourceIsInertInTheCsvExportAndExactInTheNdjsonExport() {
        Api api = instance.api();
        String source = "=HYPERLINK(\"http://x/" + UUID.randomUUID() + "\")";
        String since = "eventType=AccessFailuresObserved&from=" + Instant.now().minusSeconds(1);
        String unknown = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom()).reveal();
        assertThat(api.post("/v1/keys/verify", Map.of("key", unknown, "source", source)).text("code"))
                .isEqualTo("NOT_FOUND");

        instance.bean(AccessFailures.class).flush();

        JsonNode recorded = await().atMost(Duration.ofSeconds(20)).until(() -> AuditExports.ndjson(
                        api.get(EXPORT + "?format=ndjson&" + since).body()).stream()
                .filter(entry -> entry.path("metadata").path("source").asText().equals(source)).findFirst()
                .orElse(null), entry -> entry != null);
        assertThat(recorded.path("resourceId").asText()).isEqualTo(source);

        List<List<String>> csv = AuditExports.csv(api.get(EXPORT + "?format=csv&" + since).body());
        int resourceId = csv.get(0).indexOf("resourceId");
        assertThat(csv).extracting(row -> row.get(resourceId)).contains("'" + source);
        assertThat(csv).flatExtracting(row -> row)
                .noneMatch(cell -> !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0);
    }
}
