package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON mode, JSON-schema output and tool calls over HTTP, with a random-weight model sampled at temperature 1: its
 * free text would be nonsense, so every parse and schema check below holds only because decoding was constrained.
 */
class StructuredOutputTest {
    static TestServer server;

    static final Map<String, Object> PERSON = Map.of("type", "object",
            "properties", Map.of("name", Map.of("type", "string"), "age", Map.of("type", "integer"),
                    "pets", Map.of("type", "array", "items", Map.of("enum", List.of("cat", "dog")))),
            "required", List.of("name", "age"), "additionalProperties", false);

    static final List<Map<String, Object>> TOOLS = List.of(
            Map.of("type", "function", "function", Map.of("name", "get_weather", "description", "Weather in a city",
                    "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"),
                            "unit", Map.of("enum", List.of("C", "F"))), "required", List.of("city", "unit")))),
            Map.of("type", "function", "function", Map.of("name", "add", "parameters", Map.of("type", "object",
                    "properties", Map.of("a", Map.of("type", "number"), "b", Map.of("type", "number")), "required", List.of("a", "b")))));

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, Object> chat(Object... extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("messages", List.of(Map.of("role", "user", "content", "Tell me")),
                "temperature", 1.0, "max_tokens", 40));
        for (int i = 0; i < extra.length; i += 2) body.put((String) extra[i], extra[i + 1]);
        return body;
    }

    private static JsonNode content(TestServer.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return TestServer.Response.parse(r.json().at("/choices/0/message/content").asText());
    }

    @Test
    void jsonObjectModeAlwaysParses() {
        for (int seed = 0; seed < 2; seed++) {
            JsonNode out = content(server.post("/v1/chat/completions", chat("seed", seed, "response_format", Map.of("type", "json_object"))));
            assertThat(out.isObject()).isTrue();
        }
    }

    @Test
    void jsonSchemaOutputValidates() {
        for (int seed = 0; seed < 2; seed++) {
            JsonNode p = content(server.post("/v1/chat/completions", chat("seed", seed, "response_format",
                    Map.of("type", "json_schema", "json_schema", Map.of("name", "person", "schema", PERSON)))));
            assertPerson(p);
        }
    }

    static void assertPerson(JsonNode p) {
        assertThat(p.get("name").isTextual()).as(p.toString()).isTrue();
        assertThat(p.get("age").isIntegralNumber()).as(p.toString()).isTrue();
        List<String> keys = new ArrayList<>();
        p.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isSubsetOf("name", "age", "pets");
        if (p.has("pets")) for (JsonNode pet : p.get("pets")) assertThat(pet.asText()).isIn("cat", "dog");
    }

    @Test
    void ollamaFormatJsonAndSchema() {
        TestServer.Response r = server.post("/api/chat", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "stream", false, "format", "json", "options", Map.of("temperature", 1.0, "num_predict", 40, "seed", 3)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(TestServer.Response.parse(r.json().at("/message/content").asText()).isObject()).isTrue();
        r = server.post("/api/generate", Map.of("prompt", "Hi", "stream", false, "format", PERSON,
                "options", Map.of("temperature", 1.0, "num_predict", 40, "seed", 4)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertPerson(TestServer.Response.parse(r.json().get("response").asText()));
    }

    @Test
    void unsupportedSchemaFeaturesAre400NamingThem() {
        TestServer.Response r = server.post("/v1/chat/completions", chat("response_format", Map.of("type", "json_schema",
                "json_schema", Map.of("schema", Map.of("type", "string", "maxLength", 5)))));
        JsonNode e = ErrorsTest.openAiError(r, 400);
        assertThat(e.get("message").asText()).contains("maxLength");
        assertThat(e.get("param").asText()).isEqualTo("response_format");
        r = server.post("/api/chat", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "format", Map.of("type", "object", "properties", Map.of("x", Map.of("$ref", "#/defs/x")))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("$ref");
        assertThat(ErrorsTest.openAiError(server.post("/v1/chat/completions", chat("tools", TOOLS,
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "nope")))), 400).get("param").asText()).isEqualTo("tool_choice");
    }

    @Test
    void requiredToolChoiceGivesACallWithValidArguments() throws Exception {
        for (int seed = 0; seed < 2; seed++) {
            TestServer.Response r = server.post("/v1/chat/completions", chat("seed", seed, "tools", TOOLS, "tool_choice", "required"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode choice = r.json().at("/choices/0");
            assertThat(choice.get("finish_reason").asText()).as(r.body()).isEqualTo("tool_calls");
            assertThat(choice.at("/message/content").isNull()).isTrue();
            JsonNode call = choice.at("/message/tool_calls/0");
            assertThat(call.get("id").asText()).startsWith("call_");
            assertThat(call.get("type").asText()).isEqualTo("function");
            assertValidCall(call.at("/function/name").asText(), call.at("/function/arguments").asText());
        }
    }

    static void assertValidCall(String name, String arguments) {
        JsonNode args = TestServer.Response.parse(arguments);
        if (name.equals("get_weather")) {
            assertThat(args.get("city").isTextual()).isTrue();
            assertThat(args.get("unit").asText()).isIn("C", "F");
        } else {
            assertThat(name).isEqualTo("add");
            assertThat(args.get("a").isNumber() && args.get("b").isNumber()).as(arguments).isTrue();
        }
    }

    @Test
    void namedToolChoiceStreamsTheCallInDeltas() {
        TestServer.Response r = server.post("/v1/chat/completions", chat("seed", 7, "stream", true, "tools", TOOLS,
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "add"))));
        assertThat(r.status()).isEqualTo(200);
        StringBuilder args = new StringBuilder();
        String name = null, finish = null;
        for (String line : TestServer.lines(r.body())) {
            if (!line.startsWith("data: {")) continue;
            JsonNode c = TestServer.Response.parse(line.substring(6)).at("/choices/0");
            if (c.isMissingNode()) continue;
            JsonNode tc = c.at("/delta/tool_calls/0");
            if (!tc.isMissingNode()) {
                assertThat(tc.get("index").asInt()).isZero();
                if (tc.at("/function/name").isTextual()) name = tc.at("/function/name").asText();
                args.append(tc.at("/function/arguments").asText(""));
            }
            if (c.hasNonNull("finish_reason")) finish = c.get("finish_reason").asText();
        }
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
        assertThat(name).isEqualTo("add");
        assertThat(finish).isEqualTo("tool_calls");
        assertValidCall(name, args.toString());
    }

    @Test
    void autoToolChoiceEitherCallsOrAnswersAndHistoryWithToolResultsIsAccepted() {
        List<Map<String, Object>> history = List.of(
                Map.of("role", "user", "content", "Weather in Paris?"),
                Map.of("role", "assistant", "tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                        "function", Map.of("name", "get_weather", "arguments", "{\"city\":\"Paris\",\"unit\":\"C\"}")))),
                Map.of("role", "tool", "tool_call_id", "call_1", "content", "18 C, sunny"));
        for (int seed = 0; seed < 2; seed++) {
            Map<String, Object> body = chat("seed", seed, "tools", TOOLS, "max_tokens", 50);
            body.put("messages", history);
            TestServer.Response r = server.post("/v1/chat/completions", body);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode choice = r.json().at("/choices/0");
            if (choice.get("finish_reason").asText().equals("tool_calls")) {
                JsonNode call = choice.at("/message/tool_calls/0/function");
                assertValidCall(call.get("name").asText(), call.get("arguments").asText());
            } else {
                assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
                assertThat(choice.at("/message/content").isTextual()).isTrue();
            }
        }
    }

    @Test
    void ollamaChatWithToolsReturnsArgumentsAsAnObject() {
        // Ollama has no tool_choice; Loupe accepts OpenAI's as an extension, which makes the call certain here.
        TestServer.Response r = server.post("/api/chat", Map.of("messages", List.of(Map.of("role", "user", "content", "Weather?")),
                "stream", false, "tools", TOOLS, "tool_choice", "required", "options", Map.of("temperature", 1.0, "num_predict", 80, "seed", 5)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode fn = r.json().at("/message/tool_calls/0/function");
        assertThat(fn.get("arguments").isObject()).as(r.body()).isTrue();
        assertValidCall(fn.get("name").asText(), fn.get("arguments").toString());
        // Streamed, "auto": one message line (a call or an answer), then the closing line.
        List<String> lines = TestServer.lines(server.post("/api/chat", Map.of("messages", List.of(Map.of("role", "user", "content", "Weather?")),
                "tools", TOOLS, "options", Map.of("temperature", 1.0, "num_predict", 60, "seed", 1))).body());
        assertThat(lines).hasSize(2);
        JsonNode first = TestServer.Response.parse(lines.getFirst()).get("message");
        assertThat(first.has("tool_calls") || first.get("content").isTextual()).isTrue();
        assertThat(TestServer.Response.parse(lines.getLast()).get("done").asBoolean()).isTrue();
    }
}
