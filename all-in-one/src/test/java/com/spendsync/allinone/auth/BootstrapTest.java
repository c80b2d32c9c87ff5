package com.spendsync.allinone.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.api.keyformat.ApiKeySecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The first root key of a store: generated and shown once, or taken from SPENDSYNC_BOOTSTRAP_KEY. */
@ExtendWith({OutputCaptureExtension.class, SharedSpendSync.class})
class BootstrapTest {

    private static final Pattern SHOWN_KEY =
            Pattern.compile("SpendSync bootstrap root key \\(shown once, store it now\\): (ss_live_\\S+)");
    /** Anything of a key's shape; a doc's example is one that also has a valid checksum. */
    private static final Pattern KEY_SHAPED = Pattern.compile("ss_(?:live|test)_[0-9A-Za-z]{49}");
    private static final Path REPOSITORY = Path.of("..");

    @Test
    void aGeneratedRootKeyIsShownOnceWrittenToAFileOnlyItsOwnerReadsAndWorks(CapturedOutput output)
            throws IOException {
        Path dataDirectory;
        try (SpendSyncInstance first = SpendSyncInstance.builder().withoutBootstrapKey().start()) {
            dataDirectory = first.dataDirectory();
            Matcher shown = SHOWN_KEY.matcher(output.getOut());
            assertThat(shown.find()).as("the generated key is printed").isTrue();
            String rootKey = shown.group(1);

            Path keyFile = dataDirectory.resolve("bootstrap-key");
            assertThat(Files.readString(keyFile).strip()).isEqualTo(rootKey);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");

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
    void aGivenBootstrapKeyIsWrittenToNoFile(SpendSyncInstance shared) {
        assertThat(shared.dataDirectory().resolve("bootstrap-key")).doesNotExist();
    }

    @Test
    void whenTheKeyFileCannotBeWrittenTheStartGoesOnAndSaysWhere(CapturedOutput output) throws IOException {
        Path dataDirectory = Files.createTempDirectory("spendsync-test");
        // a directory in the file's place, with something in it, cannot be replaced by a file
        Files.createDirectories(dataDirectory.resolve("bootstrap-key").resolve("occupied"));

        try (SpendSyncInstance instance = SpendSyncInstance.builder().withoutBootstrapKey()
                .dataDirectory(dataDirectory).start()) {
            Matcher shown = SHOWN_KEY.matcher(output.getOut());
            assertThat(shown.find()).as("the generated key is still printed").isTrue();
            assertThat(output.getOut()).contains("could not be written to " + dataDirectory.resolve("bootstrap-key"));
            assertThat(output.getAll().replace(shown.group(0), "")).doesNotContain(shown.group(1));
        }
    }

    @Test
    void aMalformedBootstrapKeyStopsTheStartWithAClearMessage() {
        assertThatThrownBy(() -> SpendSyncInstance.builder().withoutBootstrapKey()
                .property("SPENDSYNC_BOOTSTRAP_KEY", "ss_live_tooShort").start())
                .hasStackTraceContaining("SPENDSYNC_BOOTSTRAP_KEY is not a well-formed SpendSync key");
    }

    @Test
    void aBootstrapKeyOfFewDistinctCharactersStopsTheStartWithoutShowingIt(CapturedOutput output) {
        String body = "ss_live_" + "a".repeat(ApiKeySecret.RANDOM_DIGITS);
        ApiKeySecret weak = ApiKeySecret.parse(body + ApiKeySecret.checksumOf(body)).orElseThrow();

        assertThatThrownBy(() -> SpendSyncInstance.builder().rootKey(weak).start())
                .hasStackTraceContaining("SPENDSYNC_BOOTSTRAP_KEY looks guessable")
                .satisfies(refused -> assertThat(stackTraceOf(refused)).doesNotContain(weak.reveal()));
        assertThat(output.getAll()).doesNotContain(weak.reveal());
    }

    @Test
    void everyKeyTheDocsShowStopsTheStartAsAKnownExample(CapturedOutput output) throws IOException {
        List<ApiKeySecret> examples = documentedKeys();
        assertThat(examples).as("README.md shows an example key").isNotEmpty();

        for (ApiKeySecret example : examples) {
            assertThatThrownBy(() -> SpendSyncInstance.builder().rootKey(example).start())
                    .as(example.prefix())
                    .hasStackTraceContaining("SPENDSYNC_BOOTSTRAP_KEY is an example key from the documentation");
        }
        assertThat(output.getAll()).doesNotContain(examples.get(0).reveal());
    }

    /** Every well-formed key in the README, docs/ and the repository's examples (compose file, benchmarks). */
    private static List<ApiKeySecret> documentedKeys() throws IOException {
        List<Path> places;
        try (Stream<Path> docs = Files.walk(REPOSITORY.resolve("docs"));
             Stream<Path> bench = Files.walk(REPOSITORY.resolve("bench"))) {
            places = Stream.of(Stream.of(REPOSITORY.resolve("README.md"), REPOSITORY.resolve("docker-compose.yml")),
                    docs, bench).flatMap(paths -> paths).filter(Files::isRegularFile).toList();
        }
        Set<String> keyShaped = new LinkedHashSet<>();
        for (Path place : places) {
            Matcher found = KEY_SHAPED.matcher(Files.readString(place));
            while (found.find()) {
                keyShaped.add(found.group());
            }
        }
        return keyShaped.stream().flatMap(text -> ApiKeySecret.parse(text).stream()).toList();
    }

    private static String stackTraceOf(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
