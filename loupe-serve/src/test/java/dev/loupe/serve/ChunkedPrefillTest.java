package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long prompt is computed one chunk per scheduler loop, and every loop also runs a decode step for the streams
 * already generating: so while it is prefilled, a running stream keeps getting tokens instead of stalling. Counted
 * in decode steps, not time.
 */
class ChunkedPrefillTest {
    @Test
    void aLongPromptDoesNotStallARunningStream() throws Exception {
        try (TestServer server = new TestServer(TestServer.options().withParallel(2))) {
            try (RawClient running = new RawClient(server.server.port(), "/v1/completions", CancellationTest.ENDLESS)) {
                running.readUntil("data: {");
                double before = server.metric("loupe_decode_steps_total");
                TestServer.Response r = server.post("/v1/completions", Map.of(
                        "prompt", "the quick brown fox jumps over the lazy dog ".repeat(150), "max_tokens", 1, "temperature", 0));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonNode usage = r.json().at("/usage");
                int prompt = usage.at("/prompt_tokens").asInt();
                int chunks = (prompt + 63) / 64; // --prefill-chunk 64, the default
                assertThat(chunks).isGreaterThan(15);
                // One decode step of the running stream per chunk (the last chunk's step also decodes the new one).
                assertThat(server.metric("loupe_decode_steps_total") - before).isGreaterThanOrEqualTo(chunks - 1);
            }
            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
        }
    }
}
