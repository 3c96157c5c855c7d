package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Streams are framed exactly as OpenAI's and Ollama's clients parse them, and carry the same text as whole answers. */
class StreamingTest {
    static TestServer server;
    static final Map<String, Object> CHAT = Map.of("model", "tiny-qwen3-f16", "messages",
            List.of(Map.of("role", "user", "content", "Tell me a story")), "max_tokens", 24, "temperature", 0);

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        var m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Splits an SSE body into its events' data, checking the framing of each. */
    static List<String> sseData(String body) {
        assertThat(body).endsWith("\n\n");
        List<String> events = Arrays.asList(body.substring(0, body.length() - 2).split("\n\n", -1));
        for (String e : events) assertThat(e).as("event").startsWith("data: ").doesNotContain("\n");
        return events.stream().map(e -> e.substring("data: ".length())).toList();
    }

    @Test
    void chatStreamIsSseEndingWithDone() {
        String whole = server.post("/v1/chat/completions", CHAT).json().at("/choices/0/message/content").asText();
        TestServer.Response r = server.post("/v1/chat/completions", with(CHAT, "stream", true, "stream_options", Map.of("include_usage", true)));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> data = sseData(r.body());
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(TestServer.Response::parse).toList();
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        String id = chunks.getFirst().get("id").asText();
        for (JsonNode c : chunks) {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(id);
            text.append(c.at("/choices/0/delta/content").asText(""));
        }
        assertThat(text.toString()).isEqualTo(whole);
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        JsonNode usage = chunks.getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(24);
    }

    @Test
    void completionStreamCarriesTheSameText() {
        Map<String, Object> req = Map.of("prompt", "Once upon a time", "max_tokens", 20, "temperature", 0);
        String whole = server.post("/v1/completions", req).json().at("/choices/0/text").asText();
        List<String> data = sseData(server.post("/v1/completions", with(req, "stream", true)).body());
        assertThat(data.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = TestServer.Response.parse(d);
            assertThat(c.get("object").asText()).isEqualTo("text_completion");
            text.append(c.at("/choices/0/text").asText());
        }
        assertThat(text.toString()).isEqualTo(whole);
    }

    @Test
    void ollamaGenerateStreamsNdjson() {
        Map<String, Object> req = Map.of("model", "tiny-qwen3-f16", "prompt", "Why is the sky blue?",
                "options", Map.of("temperature", 0, "num_predict", 16));
        JsonNode whole = server.post("/api/generate", with(req, "stream", false)).json();
        assertThat(whole.get("done").asBoolean()).isTrue();
        TestServer.Response r = server.post("/api/generate", req); // Ollama streams by default
        assertThat(r.raw().headers().firstValue("content-type").orElse("")).startsWith("application/x-ndjson");
        List<JsonNode> lines = r.body().lines().map(TestServer.Response::parse).toList();
        StringBuilder text = new StringBuilder();
        for (JsonNode l : lines.subList(0, lines.size() - 1)) {
            assertThat(l.get("done").asBoolean()).isFalse();
            text.append(l.get("response").asText());
        }
        JsonNode last = lines.getLast();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asText()).isEqualTo("length");
        assertThat(last.get("eval_count").asInt()).isEqualTo(16);
        assertThat(text.toString()).isEqualTo(whole.get("response").asText());
    }

    @Test
    void ollamaChatStreamsMessages() {
        Map<String, Object> req = Map.of("model", "tiny-qwen3-f16:latest", "messages",
                List.of(Map.of("role", "user", "content", "Hi")), "options", Map.of("temperature", 0, "num_predict", 8));
        String whole = server.post("/api/chat", with(req, "stream", false)).json().at("/message/content").asText();
        List<JsonNode> lines = server.post("/api/chat", req).body().lines().map(TestServer.Response::parse).toList();
        StringBuilder text = new StringBuilder();
        for (JsonNode l : lines) text.append(l.at("/message/content").asText());
        assertThat(lines.getLast().get("done").asBoolean()).isTrue();
        assertThat(text.toString()).isEqualTo(whole);
    }

    @Test
    void ollamaInfoRoutes() {
        assertThat(server.get("/api/tags").json().get("models").findValuesAsText("name")).contains("tiny-qwen3-f16:latest", "tiny-llama-f32:latest");
        assertThat(server.get("/api/ps").json().at("/models/0/name").asText()).isEqualTo("tiny-qwen3-f16:latest");
        assertThat(server.get("/api/version").json().get("version").asText()).isNotEmpty();
        JsonNode show = server.post("/api/show", Map.of("model", "tiny-qwen3-f16")).json();
        assertThat(show.get("template").asText()).contains("messages");
        assertThat(show.at("/model_info/general.architecture").asText()).isEqualTo("qwen3");
        assertThat(server.get("/v1/models").json().at("/data/0/id").asText()).isEqualTo("tiny-qwen3-f16");
    }

    @Test
    void tokenizeRoundTrips() {
        JsonNode t = server.post("/tokenize", Map.of("content", "Hello world", "with_pieces", true)).json();
        assertThat(t.get("tokens")).isNotEmpty();
        assertThat(t.at("/pieces/0/piece").asText()).isNotEmpty();
        JsonNode d = server.post("/detokenize", Map.of("tokens", t.get("tokens"))).json();
        assertThat(d.get("content").asText()).isEqualTo("Hello world");
    }
}
