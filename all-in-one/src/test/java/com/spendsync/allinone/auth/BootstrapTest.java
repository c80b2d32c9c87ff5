package com.spendsync.allinone.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.SpendSyncInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The first root key of a store: generated and shown once, or taken from SPENDSYNC_BOOTSTRAP_KEY. */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapTest {

    private static final Pattern SHOWN_KEY =
            Pattern.compile("SpendSync bootstrap root key \\(shown once, store it now\\): (ss_live_\\S+)");

    @Test
    void aGeneratedRootKeyIsShownOnceAndWorks(CapturedOutput output) {
        Path dataDirectory;
        try (SpendSyncInstance first = SpendSyncInstance.builder().withoutBootstrapKey().start()) {
            dataDirectory = first.dataDirectory();
            Matcher shown = SHOWN_KEY.matcher(output.getOut());
            assertThat(shown.find()).as("the generated key is printed").isTrue();
            String rootKey = shown.group(1);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(first.api().send("POST",
                    "/v1/keys", Map.of("ownerId", "o", "name", "n", "permissions", List.of()), rootKey).status())
                    .isEqualTo(201));
        }
        int printedSoFar = output.getOut().length();

        try (SpendSyncInstance restarted = SpendSyncInstance.builder().withoutBootstrapKey()
                .dataDirectory(dataDirectory).start()) {
            assertThat(output.getOut().substring(printedSoFar)).doesNotContain("bootstrap root key (shown once");
        }
    }

    @Test
    void aMalformedBootstrapKeyStopsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> SpendSyncInstance.builder().withoutBootstrapKey()
                .property("SPENDSYNC_BOOTSTRAP_KEY", "ss_live_tooShort").start())
                .hasStackTraceContaining("SPENDSYNC_BOOTSTRAP_KEY is not a well-formed SpendSync key");
    }
}
