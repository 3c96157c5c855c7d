package dev.loupe.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.sample.constrain.JsonSchema;
import dev.loupe.core.sample.constrain.ReplyGrammar;
import dev.loupe.serve.ServedModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI tool calling in the model's own format. The {@link ToolFormat} comes from the chat template (Hermes/Qwen
 * {@code <tool_call>} tags, Llama 3's JSON, Mistral's {@code [TOOL_CALLS]}, else llama.cpp's generic JSON); the
 * tools reach the model through the template's {@code tools} variable; the reply is constrained by the format's
 * {@link ReplyGrammar}, so the model may answer in free text or call, and a call's arguments always parse and
 * validate against the function's parameters. {@link ToolReplyReader} then reads the reply with the same grammar.
 * <ul>
 *   <li>{@code tool_choice} "auto" (the default): text, or the format's marker and calls;</li>
 *   <li>"required" or a named function: calls only (the named function's alone);</li>
 *   <li>"none": tools are ignored.</li>
 * </ul>
 * {@code parallel_tool_calls} (default true, as OpenAI) lets a reply hold several calls where the format can.
 */
final class Tools {
    record Tool(String name, String description, JsonNode parameters, JsonSchema arguments) {}

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /** Every tool of the request (what the prompt lists). */
    private final List<Tool> tools;
    /** The tools a call may name: all of them, or the one {@code tool_choice} names. */
    private final List<Tool> callable;
    private final boolean required;
    private final boolean parallel;
    private final ToolFormat format;
    private final ChatTemplate template;
    private final ObjectMapper json;

    private Tools(List<Tool> tools, List<Tool> callable, boolean required, boolean parallel, ChatTemplate template, ObjectMapper json) {
        this.tools = tools;
        this.callable = callable;
        this.required = required;
        this.parallel = parallel;
        this.template = template;
        this.format = ToolFormat.detect(template);
        this.json = json;
    }

    /** The request's tools, or null when it has none (an empty list included) or says {@code "tool_choice": "none"}. */
    static Tools parse(Body b, ObjectMapper json, ChatTemplate template) {
        JsonNode list = b.raw("tools");
        if (list == null || list.isNull() || list.isArray() && list.isEmpty()) {
            if (b.has("tool_choice") && !"none".equals(b.raw("tool_choice").asText())) {
                throw ApiError.badRequest("'tool_choice' needs 'tools'", "tool_choice");
            }
            return null;
        }
        if (!list.isArray()) throw ApiError.badRequest("'tools' must be an array", "tools");
        List<Tool> tools = new ArrayList<>();
        SchemaCompiler compiler = new SchemaCompiler("tools");
        for (JsonNode t : list) {
            JsonNode fn = t.path("function");
            if (!"function".equals(t.path("type").asText()) || !fn.path("name").isTextual()) {
                throw ApiError.badRequest("each tool must be {\"type\": \"function\", \"function\": {\"name\": ...}}", "tools");
            }
            JsonNode params = fn.get("parameters");
            JsonSchema args = params == null || params.isNull() ? JsonSchema.ObjectSchema.anyObject() : compiler.compile(params);
            tools.add(new Tool(fn.get("name").asText(), fn.path("description").asText(""), params, args));
        }
        boolean parallel = b.bool("parallel_tool_calls", true);
        JsonNode choice = b.raw("tool_choice");
        if (choice == null || choice.isNull() || choice.isTextual() && choice.asText().equals("auto")) {
            return new Tools(tools, tools, false, parallel, template, json);
        }
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> null;
                case "required" -> new Tools(tools, tools, true, parallel, template, json);
                default -> throw ApiError.badRequest("'tool_choice' must be none, auto, required or a named function", "tool_choice");
            };
        }
        String name = choice.path("function").path("name").asText(null);
        for (Tool t : tools) if (t.name().equals(name)) return new Tools(tools, List.of(t), true, parallel, template, json);
        throw ApiError.badRequest("'tool_choice' names a function that is not among the tools: " + name, "tool_choice");
    }

    /** Tools and a response format cannot both shape one reply. */
    static void checkAlone(Tools tools, JsonSchema format, String formatField) {
        if (tools != null && format != null) throw ApiError.badRequest("'" + formatField + "' cannot be combined with 'tools'", formatField);
    }

    ToolFormat format() {
        return format;
    }

    /** The conversation's prompt tokens, with the tools; a template that refuses the conversation is a 400. */
    int[] encode(ServedModel model, List<ChatMessage> messages) {
        try {
            return model.encodeChat(prepare(messages), templateTools());
        } catch (LoupeException e) {
            throw ApiError.badRequest("the chat template refused the conversation: " + e.getMessage(), "messages");
        }
    }

    /** The grammar the reply is constrained to, from its start. */
    ReplyGrammar.State grammar() {
        return ReplyGrammar.compile(format.reply(callable, required, parallel,
                format == ToolFormat.LLAMA3 && template.source().contains(ToolFormat.PYTHON_TAG))).start();
    }

    /** A reader for this request's reply. */
    ToolReplyReader reader(ServedModel model) {
        return new ToolReplyReader(grammar(), model.tokenizer(), json, format::newCallId);
    }

    /** The tools as templates receive them (OpenAI's shape, parameters as objects). */
    List<Map<String, Object>> templateTools() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tool t : tools) {
            Map<String, Object> fn = new LinkedHashMap<>();
            fn.put("name", t.name());
            fn.put("description", t.description());
            fn.put("parameters", t.parameters() == null ? Map.of("type", "object") : json.convertValue(t.parameters(), Map.class));
            Map<String, Object> tool = new LinkedHashMap<>(); // templates write it with tojson: keep OpenAI's order
            tool.put("type", "function");
            tool.put("function", fn);
            out.add(tool);
        }
        return out;
    }

    /**
     * The conversation as the template should see it. A native format's template gets it as it is (call ids made
     * acceptable to it); with the generic format, a template that knows nothing of tools gets them listed in a system
     * message and tool turns written as text, and every template gets a note on the reply's JSON shape.
     */
    List<ChatMessage> prepare(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>();
        if (format != ToolFormat.GENERIC) {
            for (ChatMessage m : messages) out.add(withTemplateIds(m));
            return out;
        }
        boolean knowsTools = template.mentionsTools();
        for (ChatMessage m : messages) out.add(knowsTools ? m : asText(m));
        String note = instructions(!knowsTools);
        if (!out.isEmpty() && out.getFirst().role().equals("system")) {
            ChatMessage s = out.getFirst();
            out.set(0, new ChatMessage("system", s.content() + "\n\n" + note, s.fields()));
        } else {
            out.addFirst(ChatMessage.system(note));
        }
        return out;
    }

    private ChatMessage withTemplateIds(ChatMessage m) {
        Map<String, Object> f = new LinkedHashMap<>(m.fields());
        if (f.get("tool_call_id") instanceof String id) f.put("tool_call_id", format.templateId(id));
        if (f.get("tool_calls") instanceof List<?> calls) {
            List<Object> renamed = new ArrayList<>();
            for (Object c : calls) {
                if (c instanceof Map<?, ?> call && call.get("id") instanceof String id) {
                    Map<Object, Object> copy = new LinkedHashMap<>(call);
                    copy.put("id", format.templateId(id));
                    renamed.add(copy);
                } else {
                    renamed.add(c);
                }
            }
            f.put("tool_calls", renamed);
        }
        return new ChatMessage(m.role(), m.content(), f);
    }

    private String instructions(boolean listTools) {
        StringBuilder s = new StringBuilder();
        if (listTools) {
            s.append("You can call these functions:\n");
            for (Map<String, Object> t : templateTools()) s.append(write(t.get("function"))).append('\n');
        }
        String call = "{\"name\": <function name>, \"arguments\": <arguments object>}";
        String calls = parallel ? "{\"tool_calls\": [" + call + ", ...]}" : "{\"tool_call\": " + call + "}";
        s.append("Reply with a JSON object: ").append(calls).append(" to call ").append(parallel ? "functions" : "a function");
        if (!required) s.append(", or {\"response\": <your answer>} to answer directly");
        return s.append('.').toString();
    }

    /** A tool-calling turn written as text, for a template that has no notion of tools. */
    private ChatMessage asText(ChatMessage m) {
        Object calls = m.fields().get("tool_calls");
        if (calls instanceof List<?> list && !list.isEmpty()) {
            List<Object> functions = new ArrayList<>();
            for (Object c : list) if (c instanceof Map<?, ?> call) functions.add(call.get("function"));
            Object reply = parallel ? Map.of("tool_calls", functions) : Map.of("tool_call", functions.getFirst());
            return ChatMessage.assistant(write(reply));
        }
        if (m.role().equals("tool")) {
            Object id = m.fields().getOrDefault("tool_call_id", "");
            return ChatMessage.user("Result of function call " + id + ": " + m.content());
        }
        return new ChatMessage(m.role(), m.content());
    }

    /** Arguments JSON as an object (Ollama sends them so); text that does not parse (a cut-off call) stays text. */
    static JsonNode argumentsObject(String arguments) {
        try {
            return PLAIN.readTree(arguments);
        } catch (JsonProcessingException e) {
            return PLAIN.getNodeFactory().textNode(arguments);
        }
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        return write(PLAIN, s);
    }

    private String write(Object value) {
        return write(json, value);
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
