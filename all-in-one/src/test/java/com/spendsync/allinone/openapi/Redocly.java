package com.spendsync.allinone.openapi;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.allinone.support.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redocly CLI pinned in {@code tools/openapi-lint}, installed there with {@code npm ci} when it is missing or of
 * another version than the lock file's, so {@code ./mvnw verify} alone works on a fresh clone. Without Node.js the
 * lint is skipped on a developer's machine and fails in CI ({@code CI=true}), where it must run.
 */
final class Redocly {

    private static final String FOLDER_PROPERTY = "spendsync.openapi-lint.dir";
    private static final String PACKAGE = "node_modules/@redocly/cli";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LINT_TIMEOUT = Duration.ofMinutes(2);
    private static final String NPM = System.getProperty("os.name").startsWith("Windows") ? "npm.cmd" : "npm";

    private final Path folder;

    private Redocly(Path folder) {
        this.folder = folder;
    }

    static Redocly installed() {
        String configured = System.getProperty(FOLDER_PROPERTY);
        if (configured == null) {
            fail("the system property " + FOLDER_PROPERTY + " names the linter's folder; all-in-one/pom.xml sets it");
        }
        Path folder = Path.of(configured).toAbsolutePath().normalize();
        requireTool("node");
        String pinned = version(folder.resolve("package-lock.json"), "/packages/" + PACKAGE.replace("/", "~1"));
        if (!pinned.equals(version(folder.resolve(PACKAGE + "/package.json"), ""))) {
            requireTool(NPM);
            Ran install = run(folder, INSTALL_TIMEOUT, NPM, "ci", "--no-audit", "--no-fund");
            if (install.exitCode() != 0) {
                fail("npm ci in " + folder + " failed (exit " + install.exitCode() + "):\n" + install.output()
                        + install.errors());
            }
        }
        return new Redocly(folder);
    }

    /** Lints an OpenAPI document with {@code redocly.yaml} of the folder; the problems of every severity. */
    List<Problem> lint(Path document) {
        Ran lint = run(folder, LINT_TIMEOUT, "node", PACKAGE + "/bin/cli.js", "lint", "--format=json",
                "--max-problems=1000", "--config=redocly.yaml", document.toString());
        JsonNode report;
        try {
            report = Api.JSON.readTree(lint.output());
        } catch (IOException e) {
            throw new AssertionError("redocly lint wrote no JSON report (exit " + lint.exitCode() + "):\n"
                    + lint.output() + lint.errors(), e);
        }
        List<Problem> problems = new ArrayList<>();
        for (JsonNode problem : report.path("problems")) {
            problems.add(new Problem(problem.path("severity").asText(), problem.path("ruleId").asText(),
                    problem.path("location").path(0).path("pointer").asText(), problem.path("message").asText()));
        }
        if (problems.isEmpty() && lint.exitCode() != 0) {
            fail("redocly lint failed (exit " + lint.exitCode() + ") reporting no problem:\n" + lint.errors());
        }
        return problems;
    }

    record Problem(String severity, String rule, String pointer, String message) {
        @Override
        public String toString() {
            return severity + " " + rule + " at " + pointer + ": " + message;
        }
    }

    private static void requireTool(String command) {
        try {
            Process probe = new ProcessBuilder(command, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
        } catch (IOException notFound) {
            String missing = command + " is not on the PATH: the OpenAPI lint needs Node.js 20.19 or later with npm";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(missing + " (CI=true, so the lint may not be skipped)");
            }
            Assumptions.abort(missing + "; skipped on this machine");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The version field at {@code pointer} of a JSON file, or "" when the file does not exist. */
    private static String version(Path file, String pointer) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            return Api.JSON.readTree(file.toFile()).at(pointer + "/version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Ran(int exitCode, String output, String errors) {
    }

    /** Output goes to files, so a chatty process cannot block on a full pipe and the timeout always holds. */
    private static Ran run(Path directory, Duration timeout, String... command) {
        Path output = null;
        Path errors = null;
        try {
            output = Files.createTempFile("redocly", ".out");
            errors = Files.createTempFile("redocly", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(output.toFile()).redirectError(errors.toFile());
            builder.environment().put("REDOCLY_TELEMETRY", "off");
            builder.environment().put("REDOCLY_SUPPRESS_NOTIFICATIONS", "true");
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Ran(process.exitValue(), Files.readString(output), Files.readString(errors));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteIfPresent(output);
            deleteIfPresent(errors);
        }
    }

    private static void deleteIfPresent(Path file) {
        if (file != null) {
            file.toFile().delete();
        }
    }
}
