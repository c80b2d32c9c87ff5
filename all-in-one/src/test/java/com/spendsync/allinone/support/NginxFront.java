package com.spendsync.allinone.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's nginx running the shipped deploy/nginx/spendsync.conf (its listen port changed to a free one) in front of
 * services on the ports given for each of its upstreams, as a deployment's upstreams file would list them.
 */
public final class NginxFront implements AutoCloseable {

    private static final Path CONFIGURATION = Path.of("..", "deploy", "nginx", "spendsync.conf");

    private final Process process;
    private final int port;

    private NginxFront(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The nginx binary on the PATH or in the sbin directories, if this machine has one. */
    public static Optional<Path> binary() {
        return Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
                        Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, "nginx"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code binary} with the shipped routes and, for each of spendsync_commands, spendsync_queries and
     * spendsync_alerts, an upstream of the services' ports.
     */
    public static NginxFront start(Path binary, Map<String, List<Integer>> upstreams) {
        try {
            Path home = Files.createTempDirectory("spendsync-nginx");
            int port = Ports.free();
            String routes = Files.readString(CONFIGURATION).replace("listen 8080;", "listen 127.0.0.1:" + port + ";");
            assertThat(routes).as("the shipped file listens on 8080").contains("listen 127.0.0.1:" + port + ";");
            Files.writeString(home.resolve("spendsync.conf"), routes);
            List<String> blocks = new ArrayList<>();
            upstreams.forEach((name, ports) -> blocks.add(upstream(name, ports)));
            Files.writeString(home.resolve("upstreams.conf"), String.join("\n", blocks));
            Files.writeString(home.resolve("nginx.conf"), String.join("\n",
                    "worker_processes 1;",
                    "pid " + home.resolve("nginx.pid") + ";",
                    "error_log " + home.resolve("error.log") + " warn;",
                    "events { worker_connections 256; }",
                    "http {",
                    "  access_log " + home.resolve("access.log") + ";",
                    "  client_body_temp_path " + home.resolve("body") + ";",
                    "  proxy_temp_path " + home.resolve("proxy") + ";",
                    "  fastcgi_temp_path " + home.resolve("fastcgi") + ";",
                    "  uwsgi_temp_path " + home.resolve("uwsgi") + ";",
                    "  scgi_temp_path " + home.resolve("scgi") + ";",
                    "  include " + home.resolve("upstreams.conf") + ";",
                    "  include " + home.resolve("spendsync.conf") + ";",
                    "}"));
            Process process = new ProcessBuilder(binary.toString(), "-p", home.toString(), "-c",
                    home.resolve("nginx.conf").toString(), "-g", "daemon off;")
                    .redirectErrorStream(true).redirectOutput(home.resolve("stdout").toFile()).start();
            NginxFront front = new NginxFront(process, port);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    assertThat(process.isAlive()).as("nginx: " + Files.readString(home.resolve("stdout"))).isTrue();
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
            } catch (RuntimeException | AssertionError failed) {
                front.close();
                throw failed;
            }
            return front;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String upstream(String name, List<Integer> ports) {
        StringBuilder block = new StringBuilder("upstream " + name + " {\n");
        for (int member : ports) {
            block.append("  server 127.0.0.1:").append(member).append(" max_fails=2 fail_timeout=5s;\n");
        }
        return block.append("  keepalive 8;\n}\n").toString();
    }

    /** The one address, with the root key. */
    public Api api(String rootKey) {
        return new Api("http://127.0.0.1:" + port, rootKey);
    }

    @Override
    public void close() {
        List<ProcessHandle> workers = process.descendants().toList();
        Stopping.stop(process, Duration.ofSeconds(10));
        workers.forEach(ProcessHandle::destroyForcibly);
    }
}
