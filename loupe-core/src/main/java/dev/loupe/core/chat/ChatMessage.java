package dev.loupe.core.chat;

import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation, as the OpenAI API and chat templates see it: a role ("system", "user", "assistant",
 * "tool", ...), its text, and any further fields the template reads from the message as they are (for tool calling:
 * {@code tool_calls} on an assistant turn, {@code tool_call_id} and {@code name} on a tool result).
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        fields = Map.copyOf(fields);
    }

    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
