package com.spendsync.allinone.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.spendsync.allinone.support.InfraProcess;
import com.spendsync.allinone.support.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SPENDSYNC_MODE=infra java -jar spendsync.jar} runs the embedded MongoDB-wire server and Redis alone, as a
 * real process: both answer on the URIs it prints, no service or web server starts, a SIGTERM stops both, and what
 * was stored is there at the next start on the same data directory.
 */
class InfraModeTest {

    private static void stop(InfraProcess infra) {
        infra.close();
        assertThat(infra.process().exitValue()).as("SIGTERM ends infra mode").isIn(0, 143);
    }

    private static String redisPing(String redisUri) throws IOException {
        URI uri = URI.create(redisUri);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Test
    void theEmbeddedServersRunAloneStopOnSigtermAndKeepTheirData(@TempDir Path temp) throws Exception {
        Path data = temp.resolve("data");
        int webPort = Ports.free();
        InfraProcess infra = InfraProcess.start(data, temp.resolve("infra.log"), webPort);
        try {
            assertThat(redisPing(infra.redisUri())).isEqualTo("+PONG");
            try (MongoClient client = MongoClients.create(infra.mongoUri())) {
                client.getDatabase("probe").getCollection("notes").insertOne(new Document("_id", "kept"));
            }
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", webPort), 1000))
                    .as("no web server in infra mode").isInstanceOf(ConnectException.class);
            assertThat(Files.readString(temp.resolve("infra.log"))).doesNotContain("Started SpendSyncApplication");
        } finally {
            stop(infra);
        }

        InfraProcess again = InfraProcess.start(data, temp.resolve("infra-again.log"), webPort);
        try (MongoClient client = MongoClients.create(again.mongoUri())) {
            MongoCollection<Document> notes = client.getDatabase("probe").getCollection("notes");
            assertThat(Optional.ofNullable(notes.find(Filters.eq("_id", "kept")).first())).isPresent();
        } finally {
            stop(again);
        }
    }
}
