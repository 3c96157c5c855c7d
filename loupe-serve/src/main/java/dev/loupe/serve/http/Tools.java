package dev.loupe.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.sample.constrain.JsonSchema;
import dev.loupe.serve.ServedModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * OpenAI tool calling on top of constrained decoding. The reply is always generated as one JSON value, so a call's
 * arguments always parse and validate against the function's parameters:
 * <ul>
 *   <li>{@code tool_choice} "required" or a named function: {@code {"name": "...", "arguments": {...}}}, the name one
 *       of the offered functions and the arguments that function's schema (an anyOf over the functions);</li>
 *   <li>"auto" (the default): either {@code {"tool_call": {"name": ..., "arguments": ...}}} or
 *       {@code {"response": "text"}} (llama.cpp's generic tool format);</li>
 *   <li>"none": tools are ignored and the reply is free text.</li>
 * </ul>
 * The tools reach the model through the template's {@code tools} variable; a template that does not read it, or an
 * "auto" request (whose wrapper no template knows), also gets a system message describing the tools and the reply
 * shape. History in the OpenAI shape (assistant {@code tool_calls}, role "tool" results) is passed to templates that
 * know tools, and written out as text for those that do not.
 */
final class Tools {
    record Tool(String name, String description, JsonNode parameters, JsonSchema arguments) {}

    /** A call as the reply states it; {@code arguments} is compact JSON text. */
    record Call(String id, String name, String arguments) {}

    /** What a constrained reply said: a call, or text (also the raw output when a length limit cut the JSON). */
    record Reply(Call call, String content) {}

    private final List<Tool> tools;
    private final boolean forced;
    private final ObjectMapper json;

    private Tools(List<Tool> tools, boolean forced, ObjectMapper json) {
        this.tools = tools;
        this.forced = forced;
        this.json = json;
    }

    /** The request's tools, or null when it has none (an empty list included) or says {@code "tool_choice": "none"}. */
    static Tools parse(Body b, ObjectMapper json) {
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
        JsonNode choice = b.raw("tool_choice");
        if (choice == null || choice.isNull() || choice.isTextual() && choice.asText().equals("auto")) return new Tools(tools, false, json);
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> null;
                case "required" -> new Tools(tools, true, json);
                default -> throw ApiError.badRequest("'tool_choice' must be none, auto, required or a named function", "tool_choice");
            };
        }
        String name = choice.path("function").path("name").asText(null);
        for (Tool t : tools) if (t.name().equals(name)) return new Tools(List.of(t), true, json);
        throw ApiError.badRequest("'tool_choice' names a function that is not among the tools: " + name, "tool_choice");
    }

    /** A conversation's prompt tokens, with the tools when there are some ({@code tools} may be null). */
    static int[] encode(Tools tools, ServedModel model, List<ChatMessage> messages) {
        if (tools == null) return model.encodeChat(messages);
        return model.encodeChat(tools.prepare(messages, model.template()), tools.templateTools());
    }

    /** What the output is constrained to: the tools' reply shape, else the response format (both is a 400). */
    static JsonSchema outputSchema(Tools tools, JsonSchema format, String formatField) {
        if (tools == null) return format;
        if (format != null) throw ApiError.badRequest("'" + formatField + "' cannot be combined with 'tools'", formatField);
        return tools.replySchema();
    }

    /** The shape the reply is constrained to. */
    JsonSchema replySchema() {
        List<JsonSchema> calls = new ArrayList<>();
        for (Tool t : tools) {
            Map<String, JsonSchema> p = new LinkedHashMap<>();
            p.put("name", new JsonSchema.EnumSchema(List.of(quoted(t.name()))));
            p.put("arguments", t.arguments());
            calls.add(new JsonSchema.ObjectSchema(p, Set.of("name", "arguments")));
        }
        JsonSchema call = calls.size() == 1 ? calls.getFirst() : new JsonSchema.AnyOf(calls);
        if (forced) return call;
        return new JsonSchema.AnyOf(List.of(
                new JsonSchema.ObjectSchema(Map.of("tool_call", call), Set.of("tool_call")),
                new JsonSchema.ObjectSchema(Map.of("response", new JsonSchema.StringSchema()), Set.of("response"))));
    }

    /** The tools as templates receive them (OpenAI's shape, parameters as objects). */
    List<Map<String, Object>> templateTools() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tool t : tools) {
            Map<String, Object> fn = new LinkedHashMap<>();
            fn.put("name", t.name());
            fn.put("description", t.description());
            fn.put("parameters", t.parameters() == null ? Map.of("type", "object") : json.convertValue(t.parameters(), Map.class));
            out.add(Map.of("type", "function", "function", fn));
        }
        return out;
    }

    /** The conversation as the template should see it (see the class comment). */
    List<ChatMessage> prepare(List<ChatMessage> messages, ChatTemplate template) {
        boolean knowsTools = template.mentionsTools();
        List<ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : messages) out.add(knowsTools ? m : asText(m));
        if (knowsTools && forced) return out;
        String note = instructions(!knowsTools);
        if (!out.isEmpty() && out.getFirst().role().equals("system")) {
            ChatMessage s = out.getFirst();
            out.set(0, new ChatMessage("system", s.content() + "\n\n" + note, s.fields()));
        } else {
            out.addFirst(ChatMessage.system(note));
        }
        return out;
    }

    private String instructions(boolean listTools) {
        StringBuilder s = new StringBuilder();
        if (listTools) {
            s.append("You can call these functions:\n");
            for (Map<String, Object> t : templateTools()) s.append(write(t.get("function"))).append('\n');
        }
        s.append(forced
                ? "Reply with a JSON object {\"name\": <function name>, \"arguments\": <arguments object>} calling one of them."
                : "Reply with a JSON object: {\"tool_call\": {\"name\": <function name>, \"arguments\": <arguments object>}} "
                  + "to call a function, or {\"response\": <your answer>} to answer directly.");
        return s.toString();
    }

    /** A tool-calling turn written as text, for a template that has no notion of tools. */
    private ChatMessage asText(ChatMessage m) {
        Object calls = m.fields().get("tool_calls");
        if (calls instanceof List<?> list && !list.isEmpty() && list.getFirst() instanceof Map<?, ?> call) {
            Object call0 = forced ? call.get("function") : Map.of("tool_call", call.get("function"));
            return ChatMessage.assistant(write(call0));
        }
        if (m.role().equals("tool")) {
            Object id = m.fields().getOrDefault("tool_call_id", "");
            return ChatMessage.user("Result of function call " + id + ": " + m.content());
        }
        return new ChatMessage(m.role(), m.content());
    }

    /** Reads the constrained reply. */
    Reply read(String text) {
        JsonNode n;
        try {
            n = json.readTree(text);
        } catch (JsonProcessingException e) {
            return new Reply(null, text); // cut off by a limit before the value closed
        }
        if (n == null || !n.isObject()) return new Reply(null, text);
        JsonNode call = forced ? n : n.get("tool_call");
        if (call == null) return new Reply(null, n.path("response").asText(""));
        String id = "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        return new Reply(new Call(id, call.path("name").asText(), write(call.get("arguments"))), null);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String quoted(String s) {
        return write(s);
    }
}
