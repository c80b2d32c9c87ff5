package com.spendsync.allinone.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.platform.openapi.OperationCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served OpenAPI document passes Redocly's recommended rules with no error and no warning, and every operation
 * has its line in {@code OperationCatalog} (id, summary), so a new endpoint fails here until it is given one.
 */
@ExtendWith(SharedSpendSync.class)
class OpenApiLintTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private static Api.Reply document;

    @BeforeAll
    static void fetch(SpendSyncInstance spendSync) {
        document = spendSync.api().send("GET", "/v3/api-docs", null, null);
        assertThat(document.status()).isEqualTo(200);
    }

    @Test
    void everyOperationHasItsLineInTheCatalog() {
        Set<String> served = new TreeSet<>();
        document.json().path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> {
                    if (METHODS.contains(method)) {
                        served.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));

        Set<String> uncatalogued = new TreeSet<>(served);
        uncatalogued.removeAll(OperationCatalog.routes());
        Set<String> stale = new TreeSet<>(OperationCatalog.routes());
        stale.removeAll(served);
        assertThat(uncatalogued).as("operations without a line in OperationCatalog, which gives each its id and"
                + " summary").isEmpty();
        assertThat(stale).as("lines of OperationCatalog for operations no longer served").isEmpty();
    }

    @Test
    void theDocumentLintsClean(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("api-docs.json"), document.body());

        List<Redocly.Problem> problems = Redocly.installed().lint(file);

        assertThat(problems).withFailMessage(() -> problems.size() + " problems in /v3/api-docs (summaries, ids,"
                + " tags and problem responses are set in platform/.../openapi/):\n" + problems.stream()
                .map(Redocly.Problem::toString).collect(Collectors.joining("\n"))).isEmpty();
    }
}
