package com.spendsync.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.security.AccessFailuresObservedEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.common.Registration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.junit.jupiter.api.Test;

class AccessFailuresTest {

    private static final int RECORDERS = 4;
    private static final int PER_RECORDER = 50_000;

    @Test
    void flushesWhileRecordersRunLoseNoCount() throws Exception {
        CapturingGateway gateway = new CapturingGateway();
        AccessFailures failures = new AccessFailures(gateway, Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(RECORDERS);
        AtomicBoolean recording = new AtomicBoolean(true);
        try {
            List<CompletableFuture<Void>> recorders = new ArrayList<>();
            for (int r = 0; r < RECORDERS; r++) {
                recorders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < PER_RECORDER; i++) {
                        failures.record(AccessFailures.UNKNOWN_KEY, "10.0.0." + (i % 3), null);
                    }
                }, pool));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(recorders.toArray(CompletableFuture[]::new))
                    .whenComplete((done, error) -> recording.set(false));
            int flushes = 0;
            while (recording.get() || flushes == 0) {
                failures.flush();
                flushes++;
            }
            all.get();
            failures.flush();
        } finally {
            pool.shutdownNow();
        }

        long published = gateway.published.stream().mapToLong(AccessFailuresObservedEvent::count).sum();
        assertThat(published).isEqualTo((long) RECORDERS * PER_RECORDER);
    }

    /** Keeps what {@link AccessFailures} publishes; the only gateway method it calls is {@code publish}. */
    private static final class CapturingGateway implements EventGateway {
        final Queue<AccessFailuresObservedEvent> published = new ConcurrentLinkedQueue<>();

        @Override
        public void publish(List<?> events) {
            events.forEach(event -> published.add((AccessFailuresObservedEvent) ((EventMessage<?>) event).getPayload()));
        }

        @Override
        public void publish(Object... events) {
            publish(Arrays.asList(events));
        }

        @Override
        public Registration registerDispatchInterceptor(
                MessageDispatchInterceptor<? super EventMessage<?>> interceptor) {
            return () -> true;
        }
    }
}
