package dev.loupe.serve;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded load test on 127.0.0.1: a fixed number of clients send a fixed number of requests each, mixing good
 * requests, malformed ones and streams dropped mid-way. The server must answer each with a 200, 400 or 429 (never
 * a 500 or a hang) and end with no active or queued sequence.
 */
class LoopbackLoadTest {
    static final int CLIENTS = 6;
    static final int REQUESTS_PER_CLIENT = 8;

    @Test
    void survivesMixedTrafficAndDroppedStreams() throws Exception {
        try (TestServer server = new TestServer(TestServer.options().withParallel(3).withMaxQueue(4))) {
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger dropped = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Random random = new Random(c); // seeded: the same traffic every run
                    clients.add(pool.submit(() -> {
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            int status = switch (random.nextInt(5)) {
                                case 0 -> server.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": ").status();
                                case 1 -> server.post("/v1/chat/completions", Map.of("messages", "not a list")).status();
                                case 2 -> dropStream(server, dropped);
                                case 3 -> server.post("/api/generate", Map.of("prompt", "Hello", "stream", false,
                                        "options", Map.of("num_predict", 4))).status();
                                default -> server.post("/v1/completions", Map.of("prompt", "Once", "max_tokens", 4)).status();
                            };
                            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) f.get(3, TimeUnit.MINUTES);
            }
            assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(200, 400, 429);
            assertThat(statuses.get(400).get()).isPositive();
            assertThat(statuses.get(200).get()).isPositive();
            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(30));
            server.awaitMetric("loupe_queue_length", 0, Duration.ofSeconds(5));
            if (dropped.get() > 0) assertThat(server.metric("loupe_requests_cancelled_total")).isPositive();
            assertThat(server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2)).status()).isEqualTo(200);
        }
    }

    /** Starts an endless stream, reads its first chunk and hangs up; a refused request counts with its status. */
    private static int dropStream(TestServer server, AtomicInteger dropped) {
        try (RawClient c = new RawClient(server.server.port(), "/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":-1,\"stream\":true}")) {
            String status = c.readUntil("HTTP/1.1");
            if (!status.contains(" 200 ")) return Integer.parseInt(status.split(" ")[1]);
            c.readUntil("data: {");
            dropped.incrementAndGet();
            return 200;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
