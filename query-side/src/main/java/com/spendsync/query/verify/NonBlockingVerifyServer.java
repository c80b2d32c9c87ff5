package com.spendsync.query.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.spendsync.api.authority.AuthorityException;
import com.spendsync.platform.auth.AuthenticationFailedException;
import com.spendsync.platform.auth.ClientAddresses;
import com.spendsync.platform.auth.ManagementCredentials;
import com.spendsync.platform.concurrent.Stages;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.logging.LogSafe;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.problem.ProblemResponses;
import com.spendsync.platform.security.AccessFailures;
import com.spendsync.platform.verification.KeyVerifier;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@code POST /v1/keys/verify}, and only it, on a port of its own ({@code SPENDSYNC_VERIFY_PORT}; not served when
 * unset), from a non-blocking stack: Spring WebFlux's functional endpoints on Reactor Netty, the script through
 * Lettuce's reactive API, so a few event-loop threads carry every request in flight. The contract is the one the
 * management port serves ({@link VerifyCalls}), with the same authentication, problems and counted refusals; the
 * rarer steps that block (a root key not checked a moment ago, a secret Redis does not know, Redis unreachable) run
 * on Reactor's bounded elastic threads.
 */
@Component
public class NonBlockingVerifyServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NonBlockingVerifyServer.class);
    private static final List<MediaType> READABLE = List.of(MediaType.APPLICATION_JSON,
            new MediaType("application", "*+json"));
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_CONNECTIONS = 8192;
    /** The most of a refused body read before answering, as Tomcat's maxSwallowSize. */
    private static final long SWALLOWED_BYTES = 2 * 1024 * 1024;

    private final VerifyCalls calls;
    private final KeyVerifier verifier;
    private final ManagementCredentials credentials;
    private final AccessFailures failures;
    private final ObjectMapper json;
    private final int maxBodyBytes;
    private final String port;
    private final String address;
    private final Executor blocking = task -> Schedulers.boundedElastic().schedule(task);
    private final ChannelGroup inFlight = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile DisposableServer server;

    NonBlockingVerifyServer(VerifyCalls calls, KeyVerifier verifier, ManagementCredentials credentials,
                            AccessFailures failures, ObjectMapper json, SpendSyncProperties properties,
                            @Value("${spendsync.verify-port:}") String port,
                            @Value("${server.address:}") String address) {
        this.calls = calls;
        this.verifier = verifier;
        this.credentials = credentials;
        this.failures = failures;
        this.json = json;
        this.maxBodyBytes = properties.maxRequestBodyBytes();
        this.port = port.isBlank() ? null : port.trim();
        this.address = address.isBlank() ? "0.0.0.0" : address;
    }

    @Override
    public void start() {
        if (port == null) {
            return;
        }
        AtomicInteger connections = new AtomicInteger();
        server = HttpServer.create().host(address).port(Integer.parseInt(port))
                // as Tomcat bounds the management port: a connection idle, or a request not read in full, within a
                // minute is closed, and no more connections are kept than it keeps (so neither port can take the
                // process's file descriptors)
                .idleTimeout(CONNECTION_TIMEOUT).readTimeout(CONNECTION_TIMEOUT).requestTimeout(CONNECTION_TIMEOUT)
                .doOnChannelInit((observer, channel, remote) -> {
                    channel.closeFuture().addListener(closed -> connections.decrementAndGet());
                    if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                        channel.close();
                    }
                })
                // the requests under way are the stop's to wait for
                .channelGroup(inFlight)
                .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(
                        RouterFunctions.route(RequestPredicates.all(), this::handle))))
                .bindNow();
        log.info("Verify served without blocking on port {} ({})", server.port(), VerifyCalls.PATH);
    }

    @Override
    public void stop() {
        DisposableServer running = server;
        if (running != null) {
            running.disposeNow(STOP_TIMEOUT);
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Stops with the web servers, before the Redis and MongoDB clients close. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** The port bound, or -1 when the server is not running. */
    public int port() {
        DisposableServer running = server;
        return running == null ? -1 : running.port();
    }

    private Mono<ServerResponse> handle(ServerRequest request) {
        String instance = request.path();
        String peer = request.remoteAddress().map(InetSocketAddress::getAddress).map(InetAddress::getHostAddress)
                .orElse(null);
        String source = credentials.sourceOf(peer, request.headers().header(ClientAddresses.FORWARDED_FOR));
        if (!VerifyCalls.PATH.equals(instance)) {
            return problem(ProblemResponses.notFound("this port serves POST " + VerifyCalls.PATH + " only", instance));
        }
        if (request.method() != HttpMethod.POST) {
            return problem(spring(HttpStatus.METHOD_NOT_ALLOWED, "Method '" + request.method().name()
                    + "' is not supported.", instance), HttpHeaders.ALLOW, HttpMethod.POST.name());
        }
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxBodyBytes) {
            // as the management port's body limit does, before anything else is read; a body Tomcat would swallow
            // is read and dropped first, since closing on unread bytes resets the connection and the client may
            // lose the answer
            Mono<ServerResponse> refusal = problem(ProblemResponses.payloadTooLarge(maxBodyBytes, instance));
            return declared > SWALLOWED_BYTES ? refusal : request.bodyToFlux(DataBuffer.class)
                    .doOnNext(DataBufferUtils::release).then(refusal);
        }
        return Mono.fromCompletionStage(() -> credentials.authenticateWithoutBlocking(
                        request.headers().firstHeader(HttpHeaders.AUTHORIZATION), source, blocking))
                .flatMap(caller -> {
                    caller.authority().requirePermission(VerifyCalls.PERMISSION_NEEDED);
                    acceptable(request, instance);
                    return body(request).map(this::read).flatMap(verify -> Mono.fromCompletionStage(() ->
                            calls.answer(verify, caller, (hash, required, cost, scope, from) ->
                                    verifier.verifyUseWithoutBlocking(hash, required, cost, scope, from, blocking))));
                })
                .flatMap(answer -> ServerResponse.ok().headers(headers -> headers.addAll(answer.headers()))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(bytes(answer.body())))
                .onErrorResume(failure -> refused(failure, instance, source));
    }

    /** The body's type must be JSON, and the caller must take JSON; else 415 or 406, as on the management port. */
    private static void acceptable(ServerRequest request, String instance) {
        MediaType type;
        List<MediaType> accepted;
        try {
            type = request.headers().contentType().orElse(MediaType.APPLICATION_OCTET_STREAM);
        } catch (InvalidMediaTypeException e) {
            throw new Refused(spring(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Could not parse Content-Type.", instance));
        }
        if (READABLE.stream().noneMatch(readable -> readable.includes(type))) {
            throw new Refused(spring(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + type + "' is not supported.",
                    instance));
        }
        try {
            accepted = request.headers().accept();
        } catch (InvalidMediaTypeException e) {
            throw new Refused(spring(HttpStatus.NOT_ACCEPTABLE, "Could not parse Accept header.", instance));
        }
        if (!accepted.isEmpty() && accepted.stream().noneMatch(wanted -> READABLE.stream().anyMatch(wanted::isCompatibleWith))) {
            throw new Refused(spring(HttpStatus.NOT_ACCEPTABLE,
                    "Acceptable representations: [application/json, application/*+json].", instance));
        }
    }

    private Mono<byte[]> body(ServerRequest request) {
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBodyBytes).map(buffer -> {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            DataBufferUtils.release(buffer);
            return bytes;
        }).defaultIfEmpty(new byte[0]);
    }

    private VerifyRequest read(byte[] body) {
        if (body.length == 0) {
            throw new Unreadable(null);
        }
        try {
            return json.readValue(body, VerifyRequest.class);
        } catch (IOException e) {
            throw new Unreadable(e);
        }
    }

    /** As the MVC handlers answer the same failure ({@link ProblemResponses#of(Throwable, String)}). */
    private Mono<ServerResponse> refused(Throwable failure, String instance, String source) {
        Throwable cause = Stages.cause(failure);
        if (cause instanceof Refused refusal) {
            return problem(refusal.problem);
        }
        if (cause instanceof Unreadable unreadable) {
            return problem(ProblemResponses.unreadable(unreadable.getCause(), instance));
        }
        if (cause instanceof DataBufferLimitException) {
            return problem(ProblemResponses.payloadTooLarge(maxBodyBytes, instance));
        }
        if (cause instanceof AuthorityException refusal) {
            failures.record(refusal, source);
        } else if (ProblemResponses.storeUnavailable(cause)) {
            log.warn("A data store is unreachable on {}: {}", LogSafe.escape(instance), cause.toString());
        } else if (!(cause instanceof InvalidRequestException || cause instanceof AuthenticationFailedException)) {
            log.error("Unexpected failure on {}", LogSafe.escape(instance), cause);
        }
        return problem(ProblemResponses.of(cause, instance));
    }

    /** A problem Spring MVC builds itself, with SpendSync's type for its status, as the MVC handler sets it. */
    private static ProblemDetail spring(HttpStatus status, String detail, String instance) {
        ProblemDetail problem = ProblemResponses.of(status, "", status.getReasonPhrase(), detail, instance);
        problem.setType(ProblemResponses.typeOf(status));
        return problem;
    }

    /**
     * A refusal, after which the connection is closed: the rest of a body sent chunked is not read (Tomcat stops
     * reading a refused request's body after 2 MB).
     */
    private Mono<ServerResponse> problem(ProblemDetail problem, String... header) {
        ServerResponse.BodyBuilder response = ServerResponse.status(problem.getStatus())
                .headers(headers -> headers.addAll(ProblemResponses.headersOf(problem)))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).header(HttpHeaders.CONNECTION, "close");
        if (header.length == 2) {
            response.header(header[0], header[1]);
        }
        return response.bodyValue(bytes(problem));
    }

    private byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer is plain data", e);
        }
    }

    /** A request refused before its body is read, with the problem Spring MVC would answer. */
    private static final class Refused extends RuntimeException {
        private final transient ProblemDetail problem;

        Refused(ProblemDetail problem) {
            super(problem.getDetail(), null, false, false);
            this.problem = problem;
        }
    }

    /** A body that is not a verify request's JSON; its cause is what Jackson said, or null for no body. */
    private static final class Unreadable extends RuntimeException {
        Unreadable(Throwable cause) {
            super("unreadable body", cause, false, false);
        }
    }
}
