package com.spendsync.allinone.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP endpoint standing in for a Slack incoming webhook: it records every POST with the instant it arrived
 * and answers each with the next scripted reply (200 "ok" once the script runs out), as Slack does.
 */
public final class SlackReceiver implements AutoCloseable {

    public static final String PATH = "/services/T000/B000/test-webhook";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final List<Post> posts = new CopyOnWriteArrayList<>();

    /** A scripted answer: status, body and headers. */
    public record Reply(int status, String body, Map<String, String> headers) {
        public static Reply status(int status) {
            return new Reply(status, status == 200 ? "ok" : "error", Map.of());
        }

        public static Reply tooManyRequests(long retryAfterSeconds) {
            return new Reply(429, "rate_limited", Map.of("Retry-After", Long.toString(retryAfterSeconds)));
        }
    }

    /** One request as received, and the status it was answered with. */
    public record Post(Instant receivedAt, String body, String contentType, int answeredWith) {
        public JsonNode json() {
            try {
                return Api.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public SlackReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(PATH, this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public String webhookUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The next posts whose body contains {@code marker} are answered with these replies, in order. */
    public void answerNext(String marker, Reply... replies) {
        for (Reply reply : replies) {
            script.add(new Scripted(marker, reply));
        }
    }

    /** The posts whose body contains {@code marker}, in the order they arrived. */
    public List<Post> postsAbout(String marker) {
        return posts.stream().filter(post -> post.body().contains(marker)).toList();
    }

    private record Scripted(String marker, Reply reply) {
    }

    public List<Post> posts() {
        return new ArrayList<>(posts);
    }

    /** The posts answered 2xx: what Slack would have shown. */
    public List<Post> delivered() {
        return posts.stream().filter(p -> p.answeredWith() / 100 == 2).toList();
    }

    public void clear() {
        posts.clear();
        script.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant receivedAt = Instant.now();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Reply reply = Reply.status(200);
        for (Scripted next : script) {
            if (body.contains(next.marker()) && script.remove(next)) {
                reply = next.reply();
                break;
            }
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply = new Reply(405, "invalid_method", Map.of());
        }
        posts.add(new Post(receivedAt, body, exchange.getRequestHeaders().getFirst("Content-Type"), reply.status()));
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] answer = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
