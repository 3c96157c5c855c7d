package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.chat.ChatMessage;

import java.util.ArrayList;
import java.util.List;

/** A request's {@code messages}, as OpenAI and Ollama both send them. */
final class ChatMessages {
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
            out.add(new ChatMessage(msg.get("role").asText(), content(msg.get("content"))));
        }
        return out;
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
