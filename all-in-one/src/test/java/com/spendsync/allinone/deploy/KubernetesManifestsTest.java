package com.spendsync.allinone.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.spendsync.alerting.AlertingProjectorApplication;
import com.spendsync.allinone.support.Api;
import com.spendsync.allinone.support.SharedSpendSync;
import com.spendsync.allinone.support.SpendSyncInstance;
import com.spendsync.command.CommandSideApplication;
import com.spendsync.platform.redis.RedisUrlSetting;
import com.spendsync.query.QuerySideApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests (deploy/k8s) against the application: each Deployment's port is its service's, its probe
 * paths answer on a running instance, every variable it sets is one the services read, every ConfigMap, Secret key
 * and port name it refers to exists, and its Service and PodDisruptionBudget select its pods.
 */
@ExtendWith(SharedSpendSync.class)
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("..", "deploy", "k8s");
    private static final Map<String, Integer> PORTS = Map.of(
            "command-side", CommandSideApplication.DEFAULT_PORT,
            "query-side", QuerySideApplication.DEFAULT_PORT,
            "alerting-projector", AlertingProjectorApplication.DEFAULT_PORT);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    private static SpendSyncInstance instance;

    @BeforeAll
    static void start(SpendSyncInstance shared) {
        instance = shared;
    }

    /** The probes stay on the service's port when the actuator moves to a management port of its own. */
    @Test
    void theProbesAnswerOnTheServicePortWhenTheActuatorMovesAway() {
        try (SpendSyncInstance moved = SpendSyncInstance.builder().property("management.server.port", "0").start()) {
            for (String path : List.of("/livez", "/readyz")) {
                Api.Reply reply = moved.api().send("GET", path, null, null);
                assertThat(reply.status()).as(path).isEqualTo(200);
                assertThat(reply.json().path("status").asText()).isEqualTo("UP");
            }
            assertThat(moved.api().send("GET", "/actuator/health", null, null).status())
                    .as("the actuator itself is on the other port").isEqualTo(404);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"command-side", "query-side", "alerting-projector"})
    void eachServiceRunsOnItsPortWithProbesTheApplicationAnswers(String service) {
        List<Map<String, Object>> documents = load(service + ".yaml");
        Map<String, Object> deployment = ofKind(documents, "Deployment");
        Map<String, Object> container = only(list(path(deployment, "spec", "template", "spec", "containers")));
        Map<String, Integer> containerPorts = new HashMap<>();
        for (Map<String, Object> port : list(container.get("ports"))) {
            containerPorts.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertThat(containerPorts.get("http")).isEqualTo(PORTS.get(service));

        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> get = map(path(container, probe, "httpGet"));
            assertThat(get.get("port")).as(probe).isEqualTo("http");
            Api.Reply reply = instance.api().send("GET", (String) get.get("path"), null, null);
            assertThat(reply.status()).as(probe + " " + get.get("path")).isEqualTo(200);
            assertThat(reply.json().path("status").asText()).isEqualTo("UP");
        }

        Map<String, String> labels = stringMap(path(deployment, "spec", "template", "metadata", "labels"));
        assertThat(labels).containsAllEntriesOf(stringMap(path(deployment, "spec", "selector", "matchLabels")));
        Map<String, Object> serviceDocument = ofKind(documents, "Service");
        assertThat(labels).containsAllEntriesOf(stringMap(path(serviceDocument, "spec", "selector")));
        for (Map<String, Object> port : list(path(serviceDocument, "spec", "ports"))) {
            assertThat(containerPorts).containsKey((String) port.get("targetPort"));
            assertThat(port.get("port")).isEqualTo(containerPorts.get((String) port.get("targetPort")));
        }
        assertThat(labels).containsAllEntriesOf(stringMap(path(ofKind(documents, "PodDisruptionBudget"),
                "spec", "selector", "matchLabels")));

        // a pause before the stop while the endpoints drop the pod, and the whole within the grace period
        // an exec of the image's sleep, which every Kubernetes version runs (the sleep action needs 1.30)
        @SuppressWarnings("unchecked")
        List<Object> command = (List<Object>) path(container, "lifecycle", "preStop", "exec", "command");
        assertThat(command).hasSize(2).first().isEqualTo("sleep");
        int pause = Integer.parseInt((String) command.get(1));
        assertThat(pause).isPositive();
        assertThat((Integer) path(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"))
                .isGreaterThanOrEqualTo(pause + 30);

        Map<String, Object> resources = map(container.get("resources"));
        assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
        assertThat(map(resources.get("limits"))).containsKey("memory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"command-side", "query-side", "alerting-projector"})
    void everyVariableIsOneTheServicesReadAndEveryReferenceExists(String service) {
        Map<String, Object> deployment = ofKind(load(service + ".yaml"), "Deployment");
        Map<String, Object> pod = map(path(deployment, "spec", "template", "spec"));
        Map<String, Object> container = only(list(pod.get("containers")));
        Map<String, Map<String, Object>> configMaps = new HashMap<>();
        load("config.yaml").forEach(map -> configMaps.put(name(map), map(map.get("data"))));
        Map<String, Object> secret = ofKind(load("secret.example.yaml"), "Secret");
        Map<String, Object> secretData = map(secret.get("stringData"));

        Set<String> variables = new HashSet<>();
        for (Map<String, Object> source : list(container.get("envFrom"))) {
            String configMap = (String) map(source.get("configMapRef")).get("name");
            assertThat(configMaps).as("ConfigMap " + configMap).containsKey(configMap);
            variables.addAll(configMaps.get(configMap).keySet());
        }
        Map<String, String> values = new HashMap<>();
        for (Map<String, Object> variable : list(container.get("env"))) {
            String name = (String) variable.get("name");
            variables.add(name);
            if (variable.get("value") != null) {
                values.put(name, variable.get("value").toString());
            }
            Object from = variable.get("valueFrom");
            if (from != null && map(from).get("secretKeyRef") != null) {
                Map<String, Object> reference = map(map(from).get("secretKeyRef"));
                assertThat(reference.get("name")).isEqualTo(name(secret));
                assertThat(secretData).as("Secret key of " + name).containsKey((String) reference.get("key"));
            }
        }
        Set<String> known = knownVariables();
        assertThat(variables.stream().filter(variable -> !known.contains(variable)).sorted())
                .as("variables no service reads").isEmpty();

        if (values.containsKey("SPENDSYNC_VERIFY_PORT")) {
            assertThat(list(container.get("ports"))).anySatisfy(port -> {
                assertThat(port.get("name")).isEqualTo("verify");
                assertThat(port.get("containerPort").toString()).isEqualTo(values.get("SPENDSYNC_VERIFY_PORT"));
            });
        }
        // the signing key's path in the ConfigMap is where the Secret's item is mounted
        Object signingKeyPath = configMaps.get("spendsync-config").get("SPENDSYNC_AUDIT_SIGNING_KEY");
        Map<String, Object> volume = list(pod.get("volumes")).stream()
                .filter(candidate -> "signing-key".equals(candidate.get("name"))).findFirst().orElseThrow();
        Map<String, Object> item = only(list(map(volume.get("secret")).get("items")));
        assertThat(secretData).containsKey((String) item.get("key"));
        Map<String, Object> mount = list(container.get("volumeMounts")).stream()
                .filter(candidate -> "signing-key".equals(candidate.get("name"))).findFirst().orElseThrow();
        assertThat(signingKeyPath).isEqualTo(mount.get("mountPath") + "/" + item.get("path"));
    }

    @Test
    void theExampleSecretHoldsNoRealCredential() {
        Map<String, Object> data = map(ofKind(load("secret.example.yaml"), "Secret").get("stringData"));
        for (Map.Entry<String, Object> entry : data.entrySet()) {
            String value = entry.getValue().toString();
            assertThat(value.isEmpty() || value.contains("CHANGE-ME")).as(entry.getKey()).isTrue();
        }
    }

    /**
     * The environment variables the services read: those the defaults name (${NAME:...}), Spring Boot's own
     * settings in their environment-variable form, REDIS_URL, and the JVM's.
     */
    private static Set<String> knownVariables() {
        Set<String> known = new HashSet<>(List.of("JAVA_TOOL_OPTIONS", RedisUrlSetting.REDIS_URL));
        try (InputStream defaults = KubernetesManifestsTest.class
                .getResourceAsStream("/META-INF/spendsync/spendsync-defaults.properties")) {
            Matcher placeholders = PLACEHOLDER.matcher(new String(defaults.readAllBytes(), StandardCharsets.UTF_8));
            while (placeholders.find()) {
                known.add(placeholders.group(1));
            }
            for (URL metadata : Collections.list(KubernetesManifestsTest.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json"))) {
                try (InputStream in = metadata.openStream()) {
                    for (JsonNode property : Api.JSON.readTree(in).path("properties")) {
                        // SERVER_FORWARDHEADERSSTRATEGY, and the form Spring Boot also takes, with underscores
                        String name = property.path("name").asText().replace('.', '_').toUpperCase(Locale.ROOT);
                        known.add(name.replace("-", ""));
                        known.add(name.replace('-', '_'));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> load(String file) {
        try {
            String text = Files.readString(K8S.resolve(file));
            List<Map<String, Object>> documents = new ArrayList<>();
            StreamSupport.stream(new Yaml().loadAll(text).spliterator(), false)
                    .forEach(document -> documents.add((Map<String, Object>) document));
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> ofKind(List<Map<String, Object>> documents, String kind) {
        return documents.stream().filter(document -> kind.equals(document.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    private static String name(Map<String, Object> document) {
        return (String) map(document.get("metadata")).get("name");
    }

    private static Object path(Map<String, Object> document, String... keys) {
        Object node = document;
        for (String key : keys) {
            node = map(node).get(key);
            assertThat(node).as(String.join(".", keys)).isNotNull();
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object node) {
        return (Map<String, String>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object node) {
        return node == null ? List.of() : (List<Map<String, Object>>) node;
    }

    private static Map<String, Object> only(List<Map<String, Object>> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
