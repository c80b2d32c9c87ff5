package com.spendsync.allinone.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The README's run command, {@code ./mvnw -pl all-in-one -am spring-boot:run} from the repository root, keeps the
 * embedded servers' data in {@code <root>/data}: {@code SPENDSYNC_DATA_DIR} (./data) resolves against the run's
 * working directory, which Maven would otherwise set to the module folder. The working directory is read from the
 * effective POM Maven itself builds, so the property interpolation is Maven's, not the test's.
 */
class RunDirectoryTest {

    private static final String HELP_PLUGIN = "org.apache.maven.plugins:maven-help-plugin:3.5.1";

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs the POSIX wrapper script")
    void springBootRunWorksInTheRepositoryRoot(@TempDir Path temp) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("mvnw")).as("the repository root").exists();
        Path effectivePom = temp.resolve("effective-pom.xml");
        Path log = temp.resolve("maven.log");
        Process maven = new ProcessBuilder(root.resolve("mvnw").toString(), "-B", "-q", "-pl", "all-in-one",
                HELP_PLUGIN + ":effective-pom", "-Doutput=" + effectivePom)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(maven.waitFor(3, TimeUnit.MINUTES)).as("Maven ended").isTrue();
        assertThat(maven.exitValue()).as(Files.readString(log)).isZero();

        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(effectivePom.toFile());
        String workingDirectory = XPathFactory.newInstance().newXPath().evaluate(
                "/project/build/plugins/plugin[artifactId='spring-boot-maven-plugin']/configuration/workingDirectory",
                pom);
        assertThat(workingDirectory).as("spring-boot:run's working directory").isNotBlank();
        assertThat(Path.of(workingDirectory).toRealPath()).isEqualTo(root.toRealPath());
    }
}
