package dev.loupe.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request's {@code messages}, as OpenAI and Ollama both send them. */
final class ChatMessages {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private ChatMessages() {}

    /** Messages with string content, or content as an array of text parts (images are refused). */
    static List<ChatMessage> parse(Body b) {
        JsonNode m = b.raw("messages");
        if (m == null || !m.isArray() || m.isEmpty()) throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode msg : m) {
            if (!msg.isObject() || !msg.path("role").isTextual()) {
                throw ApiError.badRequest("each message needs a string 'role'", "messages");
            }
            out.add(new ChatMessage(msg.get("role").asText(), content(msg.get("content")), toolFields(msg)));
        }
        return out;
    }

    /**
     * The tool-calling fields a template may read: an assistant's {@code tool_calls} (with {@code arguments} parsed
     * into an object, as llama.cpp hands them to templates, which write them with {@code tojson}), a tool result's
     * {@code tool_call_id} and {@code name}.
     */
    private static Map<String, Object> toolFields(JsonNode msg) {
        Map<String, Object> f = new LinkedHashMap<>();
        JsonNode calls = msg.get("tool_calls");
        if (calls != null && !calls.isNull()) {
            if (!calls.isArray()) throw ApiError.badRequest("'tool_calls' must be an array", "messages");
            List<Map<String, Object>> list = new ArrayList<>();
            for (JsonNode c : calls) {
                JsonNode fn = c.path("function");
                if (!fn.path("name").isTextual()) throw ApiError.badRequest("each tool call needs 'function.name'", "messages");
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", fn.get("name").asText());
                function.put("arguments", arguments(fn.get("arguments")));
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", c.path("id").asText(""));
                call.put("type", "function");
                call.put("function", function);
                list.add(call);
            }
            f.put("tool_calls", list);
        }
        if (msg.path("tool_call_id").isTextual()) f.put("tool_call_id", msg.get("tool_call_id").asText());
        if (msg.path("name").isTextual()) f.put("name", msg.get("name").asText());
        return f;
    }

    /** Arguments arrive as a JSON string; a template wants the object (a string that is not JSON stays a string). */
    private static Object arguments(JsonNode a) {
        if (a == null || a.isNull()) return Map.of();
        if (!a.isTextual()) return PLAIN.convertValue(a, Object.class);
        try {
            return PLAIN.readValue(a.asText(), Object.class);
        } catch (JsonProcessingException e) {
            return a.asText();
        }
    }

    private static String content(JsonNode c) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest("only text content parts are supported", "messages");
                }
                s.append(part.get("text").asText());
            }
            return s.toString();
        }
        throw ApiError.badRequest("message 'content' must be a string or an array of text parts", "messages");
    }
}
