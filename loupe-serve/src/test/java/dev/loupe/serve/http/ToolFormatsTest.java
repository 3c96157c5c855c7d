package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.serve.engine.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Native tool-call formats with real templates (src/test/resources/templates): which format a template gets, that
 * the rendered prompt carries the tools the template's own way, and that replies written the way these models write
 * them are read into the right calls, whether they arrive whole or in pieces cut anywhere.
 */
class ToolFormatsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}},
                             "required": ["city", "unit"]}}},
             {"type": "function", "function": {"name": "add", "parameters": {"type": "object",
              "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}}}]""";
    static Tokenizer tokenizer;

    @BeforeAll
    static void vocab() {
        try (GgufFile g = GgufFile.open(Path.of(System.getProperty("loupe.shared", "../../shared"), "fixtures/models/tiny-qwen3-f16.gguf"))) {
            tokenizer = Tokenizer.fromMetadata(g.metadata());
        }
    }

    static String template(String file) {
        try (InputStream in = ToolFormatsTest.class.getResourceAsStream("/templates/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static final ChatTemplate QWEN = new ChatTemplate(template("Qwen-Qwen2.5-7B-Instruct.jinja"), "", "<|im_end|>");
    static final ChatTemplate LLAMA = new ChatTemplate(template("meta-llama-Llama-3.2-3B-Instruct.jinja"), "<|begin_of_text|>", "<|eot_id|>");
    static final ChatTemplate MISTRAL = new ChatTemplate(template("mistralai-Mistral-Nemo-Instruct-2407.jinja"), "<s>", "</s>");
    static final ChatTemplate PHI3 = new ChatTemplate("{% for m in messages %}{{'<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n'}}{% endfor %}", "", "");

    static Tools tools(ChatTemplate t, String extra) {
        String body = "{\"messages\": [], \"tools\": " + TOOLS + (extra.isEmpty() ? "" : ", " + extra) + "}";
        return Tools.parse(Body.parse(JSON, body.getBytes(StandardCharsets.UTF_8)), JSON, t);
    }

    @Test
    void theFormatComesFromTheTemplateAsLlamaCppDetectsIt() {
        assertThat(ToolFormat.detect(QWEN)).isEqualTo(ToolFormat.HERMES);
        assertThat(ToolFormat.detect(LLAMA)).isEqualTo(ToolFormat.LLAMA3);
        assertThat(ToolFormat.detect(MISTRAL)).isEqualTo(ToolFormat.MISTRAL);
        assertThat(ToolFormat.detect(PHI3)).isEqualTo(ToolFormat.GENERIC);
    }

    static final List<ChatMessage> HISTORY = List.of(
            ChatMessage.user("Weather in Paris?"),
            new ChatMessage("assistant", "", Map.of("tool_calls", List.of(ordered("id", "call_1", "type", "function",
                    "function", ordered("name", "get_weather", "arguments", ordered("city", "Paris", "unit", "C")))))),
            new ChatMessage("tool", "18 C", Map.of("tool_call_id", "call_1")),
            ChatMessage.assistant("It is 18 C in Paris."),
            ChatMessage.user("And in Rome?"));

    /** A map in the order given, as messages parsed from a request are. */
    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String render(ChatTemplate t, List<ChatMessage> messages) {
        Tools tools = tools(t, "");
        return t.render(tools.prepare(messages), true, tools.templateTools());
    }

    @Test
    void qwenListsTheToolsInItsSystemTurnAndWritesPastCallsInTags() {
        String p = render(QWEN, HISTORY);
        assertThat(p).startsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n");
        assertThat(p).contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city\"");
        assertThat(p).contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"C\"}}\n</tool_call><|im_end|>\n");
        assertThat(p).contains("<|im_start|>user\n<tool_response>\n18 C\n</tool_response><|im_end|>\n");
        assertThat(p).endsWith("<|im_start|>assistant\n");
    }

    @Test
    void llamaPutsTheToolsBeforeTheFirstUserMessageAndPastCallsAsJson() {
        String p = render(LLAMA, HISTORY);
        assertThat(p).contains("Environment: ipython\n");
        assertThat(p).contains("Given the following functions, please respond with a JSON for a function call");
        assertThat(p).contains("{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_weather\",");
        assertThat(p).contains("Weather in Paris?<|eot_id|>");
        assertThat(p).contains("<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"C\"}}<|eot_id|>");
        assertThat(p).contains("<|start_header_id|>ipython<|end_header_id|>\n\n");
    }

    @Test
    void mistralListsTheToolsBeforeTheLastUserTurnAndGetsNineCharacterIds() {
        String p = render(MISTRAL, HISTORY);
        assertThat(p).contains("[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"");
        assertThat(p).contains("[/AVAILABLE_TOOLS][INST]And in Rome?[/INST]");
        // The client's id "call_1" becomes the same 9 alphanumerics in the call and in its result.
        String id = ToolFormat.MISTRAL.templateId("call_1");
        assertThat(id).matches("[a-zA-Z0-9]{9}");
        assertThat(p).contains("[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"C\"}, \"id\": \"" + id + "\"}]</s>");
        assertThat(p).contains("[TOOL_RESULTS]{\"content\": 18 C, \"call_id\": \"" + id + "\"}[/TOOL_RESULTS]");
    }

    @Test
    void aTemplateWithoutToolsGetsThemListedWithTheGenericShape() {
        String p = render(PHI3, List.of(ChatMessage.user("Hi")));
        assertThat(p).contains("You can call these functions:\n{\"name\":\"get_weather\"");
        assertThat(p).contains("{\"tool_calls\": [{\"name\": <function name>, \"arguments\": <arguments object>}, ...]}");
        assertThat(p).contains("{\"response\": <your answer>}");
    }

    /** A reply read from pieces of {@code size} characters (0: whole). */
    record Read(String content, List<ToolReplyReader.Call> calls, String streamedContent, List<String> streamedArguments,
                List<String> streamedNames) {}

    static Read read(Tools tools, String reply, int size) {
        ToolReplyReader r = new ToolReplyReader(tools.grammar(), tokenizer, JSON, tools.format()::newCallId);
        List<ToolReplyReader.Part> parts = new ArrayList<>();
        int step = size == 0 ? reply.length() : size;
        for (int i = 0; i < reply.length(); i += step) {
            parts.addAll(r.piece(new Event.Piece(reply.substring(i, Math.min(reply.length(), i + step)), -1, null)));
        }
        parts.addAll(r.finish());
        StringBuilder content = new StringBuilder();
        List<StringBuilder> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (ToolReplyReader.Part p : parts) {
            switch (p) {
                case ToolReplyReader.Part.Content c -> content.append(c.text());
                case ToolReplyReader.Part.CallStart c -> {
                    assertThat(c.index()).isEqualTo(names.size());
                    names.add(c.name());
                    args.add(new StringBuilder());
                }
                case ToolReplyReader.Part.Arguments a -> args.get(a.index()).append(a.text());
                case ToolReplyReader.Part.CallEnd e -> assertThat(e.index()).isEqualTo(names.size() - 1);
            }
        }
        return new Read(r.content(), r.calls(), content.toString(), args.stream().map(StringBuilder::toString).toList(), names);
    }

    /** Reads the reply whole and cut every 1..7 characters: the same content and calls every time. */
    static Read readEveryWay(Tools tools, String reply) {
        Read whole = read(tools, reply, 0);
        for (int size = 1; size <= 7; size++) {
            Read cut = read(tools, reply, size);
            assertThat(cut.content()).isEqualTo(whole.content());
            assertThat(cut.streamedContent()).isEqualTo(whole.content());
            assertThat(cut.streamedNames()).isEqualTo(whole.calls().stream().map(ToolReplyReader.Call::name).toList());
            assertThat(cut.streamedArguments()).isEqualTo(whole.calls().stream().map(ToolReplyReader.Call::arguments).toList());
        }
        return whole;
    }

    static void assertCall(ToolReplyReader.Call c, String name, String arguments) {
        assertThat(c.name()).isEqualTo(name);
        assertThat(c.arguments()).isEqualTo(arguments);
        assertThat(c.complete()).isTrue();
    }

    @Test
    void hermesTextThenTwoTaggedCalls() {
        Read r = readEveryWay(tools(QWEN, ""), "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", "
                + "\"unit\": \"C\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2.5}}\n</tool_call>");
        assertThat(r.content()).isEqualTo("Let me check.\n");
        assertThat(r.calls()).hasSize(2);
        assertCall(r.calls().get(0), "get_weather", "{\"city\": \"Paris\", \"unit\": \"C\"}");
        assertCall(r.calls().get(1), "add", "{\"a\": 1, \"b\": 2.5}");
        assertThat(r.calls().get(0).id()).startsWith("call_");
        // Text that only looks like the start of the tag is text; a tag that is not a call cannot be generated.
        assertThat(readEveryWay(tools(QWEN, ""), "a <tool> or <tool_c").content()).isEqualTo("a <tool> or <tool_c");
    }

    @Test
    void llamaAnswersOrCallsWithJsonFromTheStart() {
        Read r = readEveryWay(tools(LLAMA, ""), "{\"name\": \"add\", \"parameters\": {\"a\": -3, \"b\": 4e2}}");
        assertThat(r.content()).isEmpty();
        assertCall(r.calls().getFirst(), "add", "{\"a\": -3, \"b\": 4e2}");
        Read text = readEveryWay(tools(LLAMA, ""), "It is sunny {really}.");
        assertThat(text.content()).isEqualTo("It is sunny {really}.");
        assertThat(text.calls()).isEmpty();
    }

    /** Llama 3.1's templates know {@code <|python_tag|>}; a call may follow it, text may come before it. */
    @Test
    void llamaWithPythonTagAcceptsACallAfterTheTag() {
        ChatTemplate llama31 = new ChatTemplate("{{ '<|start_header_id|>ipython<|end_header_id|>' }}{{ '<|python_tag|>' }}"
                + "{% for m in messages %}{{ m.content }}{% endfor %}", "", "");
        Read r = readEveryWay(tools(llama31, ""), "Let me see. <|python_tag|>{\"name\": \"add\", \"parameters\": {\"a\": 1, \"b\": 2}}");
        assertThat(r.content()).isEqualTo("Let me see. ");
        assertCall(r.calls().getFirst(), "add", "{\"a\": 1, \"b\": 2}");
        assertThat(readEveryWay(tools(LLAMA, ""), "Let me see. <|python_tag|>{").calls()).isEmpty(); // 3.2: no tag, plain text
    }

    @Test
    void mistralCallsInOneArray() {
        Read r = readEveryWay(tools(MISTRAL, ""), "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\", "
                + "\"unit\": \"F\"}}, {\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}]");
        assertThat(r.calls()).hasSize(2);
        assertCall(r.calls().get(1), "add", "{\"a\": 1, \"b\": 2}");
        assertThat(r.calls().get(0).id()).matches("[a-zA-Z0-9]{9}");
    }

    @Test
    void genericAnswerIsTheDecodedResponseString() {
        Read r = readEveryWay(tools(PHI3, ""), "{\"response\": \"Hi \\\"there\\\" \\u00e9\"}");
        assertThat(r.content()).isEqualTo("Hi \"there\" é");
        Read call = readEveryWay(tools(PHI3, "\"parallel_tool_calls\": false"),
                "{\"tool_call\": {\"name\": \"get_weather\", \"arguments\": {\"unit\": \"C\", \"city\": \"Oslo\"}}}");
        assertCall(call.calls().getFirst(), "get_weather", "{\"unit\": \"C\", \"city\": \"Oslo\"}");
    }

    @Test
    void aCallCutByALimitStaysIncomplete() {
        Read r = read(tools(QWEN, "\"tool_choice\": \"required\""), "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1", 3);
        assertThat(r.calls()).hasSize(1);
        assertThat(r.calls().getFirst().arguments()).isEqualTo("{\"a\": 1");
        assertThat(r.calls().getFirst().complete()).isFalse();
    }
}
