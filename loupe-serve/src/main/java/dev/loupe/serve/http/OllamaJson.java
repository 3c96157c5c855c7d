package dev.loupe.serve.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** Ollama's response objects; field names follow Ollama's snake_case. */
final class OllamaJson {
    private OllamaJson() {}

    /** {@code tool_calls} only when the model called a tool. */
    record Message(String role, String content, @JsonInclude(JsonInclude.Include.NON_NULL) List<ToolCall> toolCalls) {
        Message(String role, String content) {
            this(role, content, null);
        }
    }

    /** Ollama's tool call: no id, arguments as an object (OpenAI sends a JSON string). */
    record ToolCall(Function function) {}

    record Function(String name, JsonNode arguments) {}

    /** One line of /api/generate's stream, or its whole answer; the counts appear only on the last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GenerateLine(String model, String createdAt, String response, boolean done, String doneReason,
                        Long totalDuration, Long loadDuration, Integer promptEvalCount, Long promptEvalDuration,
                        Integer evalCount, Long evalDuration) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatLine(String model, String createdAt, Message message, boolean done, String doneReason,
                    Long totalDuration, Long loadDuration, Integer promptEvalCount, Long promptEvalDuration,
                    Integer evalCount, Long evalDuration) {}

    record Details(String parentModel, String format, String family, List<String> families, String parameterSize,
                   String quantizationLevel) {}

    record Tag(String name, String model, String modifiedAt, long size, String digest, Details details) {}

    record Tags(List<Tag> models) {}

    record Running(String name, String model, long size, String digest, Details details, String expiresAt, long sizeVram) {}

    record Ps(List<Running> models) {}

    record Show(String modelfile, String parameters, String template, Details details, Map<String, Object> modelInfo,
                String modifiedAt) {}

    record Version(String version) {}
}
