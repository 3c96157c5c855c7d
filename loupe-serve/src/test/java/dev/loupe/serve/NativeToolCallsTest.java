package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tool calls in each native format over HTTP, with a random-weight model sampled at temperature 1 and a real
 * template (Qwen 2.5's tags, Llama 3.2's JSON, Mistral Nemo's [TOOL_CALLS]): whatever it writes, a call names an
 * offered function and its arguments parse and validate, a required call is always made within the token limit, and
 * the streamed deltas put together are exactly the whole reply for the same seed.
 */
class NativeToolCallsTest {
    static String template(String file) {
        try (InputStream in = NativeToolCallsTest.class.getResourceAsStream("/templates/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, Object> chat(int seed, Object choice, boolean parallel, boolean stream) {
        Map<String, Object> body = new HashMap<>(Map.of("messages", List.of(Map.of("role", "user", "content", "Weather in Paris?")),
                "temperature", 1.0, "max_tokens", 80, "seed", seed, "tools", StructuredOutputTest.TOOLS,
                "tool_choice", choice, "parallel_tool_calls", parallel, "stream", stream));
        if (stream) body.put("stream_options", Map.of("include_usage", true));
        return body;
    }

    /** A reply as content and calls (name, arguments), the ids left out: they are fresh per reply. */
    record Reply(String content, List<List<String>> calls, String finish) {}

    static Reply whole(TestServer.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode choice = r.json().at("/choices/0");
        List<List<String>> calls = new ArrayList<>();
        for (JsonNode c : choice.at("/message/tool_calls")) calls.add(List.of(c.at("/function/name").asText(), c.at("/function/arguments").asText()));
        JsonNode content = choice.at("/message/content");
        return new Reply(content.isNull() ? "" : content.asText(), calls, choice.get("finish_reason").asText());
    }

    /** What the openai client's stream helper does: content appended, each call's arguments appended by index. */
    static Reply streamed(TestServer.Response r) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
        StringBuilder content = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<StringBuilder> args = new ArrayList<>();
        String finish = null;
        for (String line : TestServer.lines(r.body())) {
            if (!line.startsWith("data: {")) continue;
            JsonNode c = TestServer.Response.parse(line.substring(6)).at("/choices/0");
            if (c.isMissingNode()) continue;
            content.append(c.at("/delta/content").asText(""));
            for (JsonNode tc : c.at("/delta/tool_calls")) {
                int i = tc.get("index").asInt();
                if (tc.has("id")) {
                    assertThat(i).isEqualTo(names.size());
                    assertThat(tc.get("type").asText()).isEqualTo("function");
                    assertThat(tc.at("/function/arguments").asText()).isEmpty();
                    names.add(tc.at("/function/name").asText());
                    args.add(new StringBuilder());
                } else {
                    assertThat(tc.has("type") || tc.at("/function").has("name")).isFalse();
                    args.get(i).append(tc.at("/function/arguments").asText());
                }
            }
            if (c.hasNonNull("finish_reason")) finish = c.get("finish_reason").asText();
        }
        List<List<String>> calls = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) calls.add(List.of(names.get(i), args.get(i).toString()));
        return new Reply(content.toString(), calls, finish);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Qwen-Qwen2.5-7B-Instruct.jinja", "meta-llama-Llama-3.2-3B-Instruct.jinja",
            "mistralai-Mistral-Nemo-Instruct-2407.jinja"})
    void callsParseAndValidateAndStreamsAssembleToTheWholeReply(String file) {
        try (TestServer server = new TestServer(TestServer.options().withChatTemplate(template(file)))) {
            // A required call, then one named function (seed 1): a call is made, to an offered function (the named
            // one), with arguments that validate; "auto" may answer in text or call.
            for (int seed = 0; seed < 2; seed++) {
                boolean parallel = seed == 0;
                Object choice = seed == 0 ? "required" : Map.of("type", "function", "function", Map.of("name", "get_weather"));
                Reply required = whole(server.post("/v1/chat/completions", chat(seed, choice, parallel, false)));
                assertThat(required.finish()).as("%s", required).isEqualTo("tool_calls");
                assertThat(required.calls()).isNotEmpty();
                assertThat(required.content()).isEmpty();
                for (List<String> call : required.calls()) StructuredOutputTest.assertValidCall(call.get(0), call.get(1));
                if (seed == 1) assertThat(required.calls()).hasSize(1).allSatisfy(c -> assertThat(c.get(0)).isEqualTo("get_weather"));

                Reply auto = whole(server.post("/v1/chat/completions", chat(seed, "auto", parallel, false)));
                if (auto.finish().equals("tool_calls")) {
                    for (List<String> call : auto.calls()) StructuredOutputTest.assertValidCall(call.get(0), call.get(1));
                } else {
                    assertThat(auto.finish()).isIn("stop", "length");
                }
            }
            // Streamed and whole, same seed: the same tokens, so the same content and calls.
            Reply whole = whole(server.post("/v1/chat/completions", chat(11, "required", true, false)));
            Reply stream = streamed(server.post("/v1/chat/completions", chat(11, "required", true, true)));
            assertThat(stream).isEqualTo(whole);
        }
    }

    @Test
    void ollamaStreamsEachCallWholeWithArgumentsAsAnObject() {
        try (TestServer server = new TestServer(TestServer.options().withChatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja")))) {
            Map<String, Object> body = Map.of("messages", List.of(Map.of("role", "user", "content", "Weather?")),
                    "tools", StructuredOutputTest.TOOLS, "tool_choice", "required",
                    "options", Map.of("temperature", 1.0, "num_predict", 90, "seed", 3));
            List<JsonNode> calls = new ArrayList<>();
            List<String> lines = TestServer.lines(server.post("/api/chat", body).body());
            for (String line : lines) {
                JsonNode l = TestServer.Response.parse(line);
                for (JsonNode c : l.at("/message/tool_calls")) calls.add(c.get("function"));
            }
            assertThat(calls).isNotEmpty();
            for (JsonNode fn : calls) {
                assertThat(fn.get("arguments").isObject()).isTrue();
                StructuredOutputTest.assertValidCall(fn.get("name").asText(), fn.get("arguments").toString());
            }
            assertThat(TestServer.Response.parse(lines.getLast()).get("done").asBoolean()).isTrue();
        }
    }
}
