package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad requests get a 400 (or 404) with an error body in the API's own shape, and never a silent default. */
class ErrorsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(TestServer.options().withContextLength(64));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode openAiError(TestServer.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = r.json().get("error");
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isNotBlank();
        return e;
    }

    @Test
    void malformedJsonIs400() {
        JsonNode e = openAiError(server.post("/v1/chat/completions", "{\"messages\": [}"), 400);
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.get("message").asText()).contains("not valid JSON");
        openAiError(server.post("/v1/completions", "[1,2]"), 400);
        openAiError(server.post("/v1/completions", ""), 400);
    }

    @Test
    void badParametersName400() {
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "temperature", 7)), 400).get("param").asText()).isEqualTo("temperature");
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "top_p", "high")), 400).get("param").asText()).isEqualTo("top_p");
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "max_tokens", -5)), 400).get("param").asText()).isEqualTo("max_tokens");
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "n", 3)), 400).get("param").asText()).isEqualTo("n");
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "stop", List.of(""))), 400).get("param").asText()).isEqualTo("stop");
        assertThat(openAiError(server.post("/v1/completions", Map.of("prompt", "x", "max_tokens", 0)), 400).get("param").asText()).isEqualTo("max_tokens");
        openAiError(server.post("/v1/completions", Map.of("max_tokens", 3)), 400);
        openAiError(server.post("/v1/chat/completions", Map.of("messages", List.of())), 400);
        openAiError(server.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("content", "no role")))), 400);
        openAiError(server.post("/detokenize", Map.of("tokens", List.of(-1))), 400);
    }

    @Test
    void promptLongerThanContextNamesBothNumbers() {
        String prompt = "word ".repeat(200);
        int tokens = server.server.model().encodeText(prompt).length;
        JsonNode e = openAiError(server.post("/v1/completions", Map.of("prompt", prompt)), 400);
        assertThat(e.get("message").asText()).contains(tokens + " tokens").contains("64");
        TestServer.Response ollama = server.post("/api/generate", Map.of("model", "tiny-qwen3-f16", "prompt", prompt, "raw", true));
        assertThat(ollama.status()).isEqualTo(400);
        assertThat(ollama.json().get("error").asText()).contains(tokens + " tokens").contains("64");
    }

    @Test
    void unknownModelAndRouteAre404() {
        JsonNode e = openAiError(server.post("/v1/chat/completions", Map.of("model", "gpt-9", "messages",
                List.of(Map.of("role", "user", "content", "Hi")))), 404);
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        TestServer.Response ollama = server.post("/api/chat", Map.of("model", "tiny-llama-f32", "messages", List.of()));
        assertThat(ollama.status()).isEqualTo(404);
        assertThat(ollama.json().get("error").asText()).contains("models folder"); // it exists there, but is not the one loaded
        openAiError(server.get("/v1/nothing"), 404);
    }

    @Test
    void apiKeyGuardsEveryRouteButHealth() {
        try (TestServer keyed = new TestServer(TestServer.options().withApiKey("sesame"))) {
            var noKey = java.net.http.HttpRequest.newBuilder(keyed.uri("/v1/models")).GET().build();
            TestServer.Response r = keyed.send(noKey);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
            var wrong = java.net.http.HttpRequest.newBuilder(keyed.uri("/api/tags")).header("Authorization", "Bearer nope").GET().build();
            assertThat(keyed.send(wrong).status()).isEqualTo(401);
            assertThat(keyed.send(java.net.http.HttpRequest.newBuilder(keyed.uri("/metrics")).GET().build()).status()).isEqualTo(401);
            assertThat(keyed.send(java.net.http.HttpRequest.newBuilder(keyed.uri("/health")).GET().build()).status()).isEqualTo(200);
            assertThat(keyed.get("/v1/models").status()).isEqualTo(200); // TestServer sends the key
        }
    }
}
