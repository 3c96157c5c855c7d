package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real clients against the server: the official {@code openai} npm package, and the chat page in Debian's chromium
 * driven by playwright-core. Both are installed by {@code src/test/node/install.sh} (which ./test calls); when
 * they are missing this test fails and says how to install them, rather than skipping and passing unseen.
 */
class NodeClientsTest {
    static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static TestServer server;

    @BeforeAll
    static void start() {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/openai"))) missing.add("npm package openai");
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core"))) missing.add("npm package playwright-core");
        if (!Files.isExecutable(CHROMIUM)) missing.add(CHROMIUM + " (Debian package chromium)");
        if (!missing.isEmpty()) {
            throw new AssertionError("missing " + String.join(", ", missing) + ": run " + NODE_DIR.resolve("install.sh"));
        }
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static JsonNode runNode(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(script + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(script + " output:\n" + text).isZero();
        List<String> lines = text.strip().lines().toList();
        return TestServer.Response.parse(lines.getLast());
    }

    @Test
    void officialOpenAiClientChatsCompletesAndStreams() throws Exception {
        JsonNode r = runNode("openai-client.mjs", server.uri("/v1").toString(), "tiny-qwen3-f16");
        String direct = server.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Tell me a story")),
                "max_tokens", 12, "temperature", 0)).json().at("/choices/0/message/content").asText();
        assertThat(r.get("chat").asText()).isEqualTo(direct);
        assertThat(r.get("streamed").asText()).isEqualTo(direct);
        assertThat(r.get("stream_finish").asText()).isEqualTo("length");
        assertThat(r.at("/stream_usage/completion_tokens").asInt()).isEqualTo(12);
        assertThat(r.at("/chat_usage/completion_tokens").asInt()).isEqualTo(12);
        assertThat(r.get("completion").asText()).isNotEmpty();
        assertThat(r.get("models").get(0).asText()).isEqualTo("tiny-qwen3-f16");

        assertThat(TestServer.Response.parse(r.get("json_content").asText()).isObject()).isTrue();
        assertThat(r.get("tool_finish").asText()).isEqualTo("tool_calls");
        StructuredOutputTest.assertValidCall(r.at("/tool_call/function/name").asText(), r.at("/tool_call/function/arguments").asText());
        assertThat(r.get("streamed_tool_finish").asText()).isEqualTo("tool_calls");
        assertThat(r.at("/streamed_tool_call/id").asText()).startsWith("call_");
        assertThat(r.at("/streamed_tool_call/function/name").asText()).isEqualTo("get_weather");
        StructuredOutputTest.assertValidCall("get_weather", r.at("/streamed_tool_call/function/arguments").asText());
        JsonNode direct2 = server.post("/v1/embeddings", Map.of("input", List.of("Hello world", "Goodbye"))).json();
        for (int i = 0; i < 2; i++) {
            assertThat(EmbeddingsTest.vector(r.at("/embeddings/" + i))).containsExactly(EmbeddingsTest.vector(direct2.at("/data/" + i + "/embedding")));
        }
        assertThat(r.at("/embedding_usage/prompt_tokens").asInt()).isEqualTo(direct2.at("/usage/prompt_tokens").asInt());
    }

    /**
     * A native format (Qwen 2.5's template): the client's stream helper assembles calls whose arguments arrive in
     * several fragments into exactly the calls of the same request answered whole.
     */
    @Test
    void officialOpenAiClientAssemblesNativeToolCallsStreamedInFragments() throws Exception {
        try (TestServer qwen = new TestServer(TestServer.options().withChatTemplate(NativeToolCallsTest.template("Qwen-Qwen2.5-7B-Instruct.jinja")))) {
            JsonNode r = runNode("openai-tools.mjs", qwen.uri("/v1").toString(), "tiny-qwen3-f16");
            assertThat(r.get("whole_finish").asText()).isEqualTo("tool_calls");
            assertThat(r.get("streamed_finish").asText()).isEqualTo("tool_calls");
            assertThat(r.get("whole_calls")).isNotEmpty();
            assertThat(r.get("streamed_calls")).isEqualTo(r.get("whole_calls"));
            for (JsonNode c : r.get("streamed_calls")) StructuredOutputTest.assertValidCall(c.get("name").asText(), c.get("arguments").asText());
            assertThat(r.get("argument_deltas").asInt()).isGreaterThan(r.get("streamed_calls").size());
            for (JsonNode id : r.get("streamed_ids")) assertThat(id.asText()).startsWith("call_");
        }
    }

    @Test
    void chatPageStreamsAndStops() throws Exception {
        Path shot = Path.of("target/chat-page.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        JsonNode r = runNode("chat-page.mjs", server.uri("").toString(), shot.toString());
        assertThat(r.get("page_errors")).isEmpty();
        assertThat(r.get("user_messages").asInt()).isEqualTo(2);
        assertThat(r.get("first_meta").asText()).contains("tokens/s");
        assertThat(r.get("stopped_meta").asText()).startsWith("stopped");
        assertThat(Files.size(shot)).isPositive();
        // Stop closed the request; the server freed the sequence.
        server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(20));
        assertThat(server.metric("loupe_requests_cancelled_total")).isGreaterThanOrEqualTo(1);
        String md = r.get("markdown").asText();
        assertThat(md).contains("<h1>Title</h1>", "<strong>bold</strong>", "<code>code</code>", "&lt;script&gt;",
                "<pre><code class=\"language-js\">if (a &lt; b) {}</code></pre>", "<li>one</li>").doesNotContain("<script>");
    }
}
