package dev.loupe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.eval.backend.HttpJson;
import dev.loupe.eval.backend.HttpPolicy;
import dev.loupe.eval.backend.OpenAiLanguageModel;
import dev.loupe.eval.backend.RateLimiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The OpenAI-compatible client against a scripted local server: request shapes, parsing, retries, rate limit. */
class OpenAiBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    HttpServer server;
    final ConcurrentLinkedQueue<JsonNode> bodies = new ConcurrentLinkedQueue<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile int failureCode = 503;
    final List<Long> waits = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/completions", ex -> handle(ex, false));
        server.createContext("/v1/chat/completions", ex -> handle(ex, true));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex, boolean chat) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        bodies.add(body);
        if (failuresLeft.getAndDecrement() > 0) {
            reply(ex, failureCode, "{\"error\": \"busy\"}");
            return;
        }
        String resp;
        if (chat) {
            resp = "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"Paris. Next question\"}, \"finish_reason\": \"stop\"}],"
                    + "\"usage\": {\"prompt_tokens\": 9, \"completion_tokens\": 3}}";
        } else if (body.path("echo").asBoolean()) {
            // "The capital is Paris": tokens with offsets; the continuation " Paris" starts at char 14.
            resp = """
                    {"choices": [{"text": "The capital is Paris", "logprobs": {
                      "tokens": ["The", " capital", " is", " Par", "is"],
                      "token_logprobs": [null, -2.5, -0.5, -1.25, -0.125],
                      "text_offset": [0, 3, 11, 14, 18],
                      "top_logprobs": [null, {" capital": -2.5}, {" is": -0.5}, {" Lon": -1.0, " Par": -1.25}, {"is": -0.125}]}}]}
                    """;
        } else {
            resp = "{\"choices\": [{\"text\": \" 42\\n\\nQ\", \"finish_reason\": \"length\"}], \"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 4}}";
        }
        reply(ex, 200, resp);
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private OpenAiLanguageModel client(boolean chat, int retries) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        HttpPolicy p = new HttpPolicy(retries, Duration.ofMillis(100), Duration.ofMillis(350), 0, Duration.ofSeconds(10));
        return new OpenAiLanguageModel(new HttpJson(base, "k", p, waits::add), "m", chat);
    }

    @Test
    void logLikelihoodSendsEchoRequestAndSumsTheContinuationTokens() {
        LogLikelihood ll = client(true, 0).logLikelihood("The capital is", " Paris");
        JsonNode sent = bodies.poll();
        assertThat(sent.get("prompt").asText()).isEqualTo("The capital is Paris");
        assertThat(sent.get("echo").asBoolean()).isTrue();
        assertThat(sent.get("logprobs").asInt()).isEqualTo(1);
        assertThat(sent.get("max_tokens").asInt()).isZero();
        assertThat(ll.logProb()).isEqualTo(-1.375);
        assertThat(ll.tokens()).isEqualTo(2);
        assertThat(ll.greedy()).isFalse();  // " Lon" was the top token, not " Par"
    }

    @Test
    void generationUsesChatOrRawCompletionsAndTruncatesAtStop() {
        SamplingParams p = SamplingParams.greedy().withMaxTokens(8).withStop(List.of("\n\n", "a", "b", "c", "Next"));
        var chat = client(true, 0).complete("Capital of France?", p, null);
        JsonNode sent = bodies.poll();
        assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo("Capital of France?");
        assertThat(sent.get("stop")).hasSize(4);
        assertThat(sent.get("temperature").asDouble()).isZero();
        assertThat(chat.text()).isEqualTo("P");  // "a" is a stop string too: the client applies the fifth and beyond
        var raw = client(false, 0).complete("Q: 6*7\nA:", SamplingParams.greedy().withStop(List.of("\n\n")), null);
        assertThat(bodies.poll().get("prompt").asText()).isEqualTo("Q: 6*7\nA:");
        assertThat(raw.text()).isEqualTo(" 42");
        assertThat(raw.completionTokens()).isEqualTo(4);
    }

    @Test
    void retriesServerErrorsWithDoublingBackoffThenSucceeds() {
        failuresLeft.set(3);
        OpenAiLanguageModel c = client(true, 5);
        assertThat(c.logLikelihood("The capital is", " Paris").logProb()).isEqualTo(-1.375);
        assertThat(c.http().requests()).isEqualTo(4);
        assertThat(waits).containsExactly(100_000_000L, 200_000_000L, 350_000_000L);  // capped at maxBackoff
    }

    @Test
    void givesUpAfterTheRetryBudgetAndDoesNotRetryClientErrors() {
        failuresLeft.set(10);
        assertThatThrownBy(() -> client(true, 2).logLikelihood("a", "b")).isInstanceOf(LoupeException.class)
                .hasMessageContaining("failed after 3 attempts").hasMessageContaining("HTTP 503");
        failuresLeft.set(1);
        failureCode = 400;
        OpenAiLanguageModel c = client(true, 5);
        assertThatThrownBy(() -> c.logLikelihood("a", "b")).isInstanceOf(LoupeException.class).hasMessageContaining("HTTP 400");
        assertThat(c.http().requests()).isEqualTo(1);
    }

    @Test
    void rateLimiterSpacesRequestStarts() throws InterruptedException {
        AtomicLong now = new AtomicLong(0);
        List<Long> slept = new ArrayList<>();
        RateLimiter r = new RateLimiter(4, now::get, n -> { slept.add(n); now.addAndGet(n); });
        for (int i = 0; i < 3; i++) r.acquire();
        assertThat(slept).containsExactly(250_000_000L, 250_000_000L);
        now.addAndGet(1_000_000_000L);
        r.acquire();
        assertThat(slept).hasSize(2);
    }

    @Test
    void connectionRefusedIsRetriedAndReportedClearly() {
        int port = server.getAddress().getPort();
        server.stop(0);
        HttpPolicy p = new HttpPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 0, Duration.ofSeconds(2));
        var c = new OpenAiLanguageModel(new HttpJson(URI.create("http://127.0.0.1:" + port + "/"), null, p, waits::add), "m", true);
        assertThatThrownBy(() -> c.logLikelihood("a", "b")).isInstanceOf(LoupeException.class).hasMessageContaining("failed after 2 attempts");
        assertThat(waits).hasSize(1);
        assertThat(1e-9 * waits.getFirst()).isCloseTo(0.001, within(1e-9));
    }
}
