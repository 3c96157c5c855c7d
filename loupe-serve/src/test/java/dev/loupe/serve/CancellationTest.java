package dev.loupe.serve;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that goes away frees its sequence; a full queue answers 429 instead of piling up. */
class CancellationTest {
    static final String ENDLESS = "{\"prompt\":\"Once upon a time\",\"max_tokens\":-1,\"stream\":true}";

    @Test
    void disconnectCancelsTheSequence() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String path : List.of("/v1/completions", "/api/generate")) {
                String body = path.startsWith("/api") ? "{\"prompt\":\"Hi\",\"options\":{\"num_predict\":-1}}" : ENDLESS;
                try (RawClient c = new RawClient(server.server.port(), path, body)) {
                    c.readUntil(path.startsWith("/api") ? "\"done\":false" : "data: {");
                    assertThat(server.metric("loupe_active_sequences")).isEqualTo(1);
                }
                server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
            }
            assertThat(server.metric("loupe_requests_cancelled_total")).isEqualTo(2);
            assertThat(server.metric("loupe_queue_length")).isZero();
            // The freed slot serves the next request.
            assertThat(server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2)).status()).isEqualTo(200);
        }
    }

    /**
     * A non-streamed request writes nothing until it ends, so its hang-up is noticed by probing the socket: while it
     * decodes, and while it waits in the queue. Its sequence is cancelled and its KV blocks go back to the pool.
     */
    @Test
    void hangingUpOnANonStreamedRequestCancelsItWhileDecodingAndWhileQueued() throws Exception {
        try (TestServer server = new TestServer(TestServer.options().withParallel(1).withMaxQueue(4))) {
            int port = server.server.port();
            double cancelled = 0;
            for (String[] r : new String[][]{
                    {"/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":-1}"},
                    {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"},
                    {"/api/generate", "{\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"num_predict\":-1}}"}}) {
                try (RawClient c = new RawClient(port, r[0], r[1])) {
                    server.awaitMetric("loupe_active_sequences", 1, Duration.ofSeconds(20));
                    long deadline = System.nanoTime() + 5_000_000_000L; // the gauge is set at the end of a step
                    while (server.metric("loupe_kv_blocks_used") == 0 && System.nanoTime() < deadline) Thread.sleep(20);
                    assertThat(server.metric("loupe_kv_blocks_used")).isPositive();
                }
                server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
                assertThat(server.metric("loupe_requests_cancelled_total")).as(r[0]).isEqualTo(++cancelled);
                server.awaitMetric("loupe_kv_blocks_used", 0, Duration.ofSeconds(5));
                assertThat(server.metric("loupe_requests_finished_total")).isZero();
            }
            // Queued behind a running stream, then gone before it ever ran.
            try (RawClient running = new RawClient(port, "/v1/completions", ENDLESS)) {
                running.readUntil("data: {");
                try (RawClient queued = new RawClient(port, "/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":4}")) {
                    server.awaitMetric("loupe_queue_length", 1, Duration.ofSeconds(20));
                }
                server.awaitMetric("loupe_queue_length", 0, Duration.ofSeconds(20));
                assertThat(server.metric("loupe_requests_cancelled_total")).isEqualTo(++cancelled);
                assertThat(server.metric("loupe_active_sequences")).isEqualTo(1);
            }
            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
            server.awaitMetric("loupe_kv_blocks_used", 0, Duration.ofSeconds(5));
            assertThat(server.metric("loupe_requests_finished_total")).isZero();
        }
    }

    @Test
    void fullQueueIs429() throws Exception {
        try (TestServer server = new TestServer(TestServer.options().withParallel(1).withMaxQueue(1))) {
            try (RawClient running = new RawClient(server.server.port(), "/v1/completions", ENDLESS)) {
                running.readUntil("data: {");
                CompletableFuture<TestServer.Response> queued = CompletableFuture.supplyAsync(
                        () -> server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2)));
                server.awaitMetric("loupe_queue_length", 1, Duration.ofSeconds(20));
                TestServer.Response refused = server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2));
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
                assertThat(refused.raw().headers().firstValue("retry-after")).isPresent();
                running.close(); // the running stream goes away; the queued request gets the slot
                assertThat(queued.get().status()).isEqualTo(200);
            }
            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
            assertThat(server.metric("loupe_requests_rejected_total")).isEqualTo(1);
        }
    }
}
