package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.sample.constrain.JsonSchema;

/** The structured-output fields of both APIs, as the schema the output is constrained to (null: free text). */
final class ResponseFormats {
    private ResponseFormats() {}

    /**
     * OpenAI's {@code response_format}: {@code {"type":"text"}}, {@code {"type":"json_object"}} (any JSON object) or
     * {@code {"type":"json_schema","json_schema":{"name":...,"schema":{...}}}}.
     */
    static JsonSchema openAi(Body b) {
        JsonNode f = b.raw("response_format");
        if (f == null || f.isNull()) return null;
        String param = "response_format";
        if (!f.isObject() || !f.path("type").isTextual()) throw ApiError.badRequest("'response_format' must be an object with a 'type'", param);
        return switch (f.get("type").asText()) {
            case "text" -> null;
            case "json_object" -> JsonSchema.ObjectSchema.anyObject();
            case "json_schema" -> {
                JsonNode schema = f.path("json_schema").get("schema");
                if (schema == null) throw ApiError.badRequest("'response_format.json_schema.schema' is missing", param);
                yield new SchemaCompiler(param).compile(schema);
            }
            default -> throw ApiError.badRequest("unknown response_format type '" + f.get("type").asText()
                    + "' (use text, json_object or json_schema)", param);
        };
    }

    /** Ollama's {@code format}: {@code "json"} (a JSON object, as llama.cpp's json grammar) or a JSON Schema object. */
    static JsonSchema ollama(Body b) {
        JsonNode f = b.raw("format");
        if (f == null || f.isNull() || f.isTextual() && f.asText().isEmpty()) return null;
        if (f.isTextual() && f.asText().equals("json")) return JsonSchema.ObjectSchema.anyObject();
        if (f.isObject()) return new SchemaCompiler("format").compile(f);
        throw ApiError.badRequest("'format' must be \"json\" or a JSON Schema object", "format");
    }
}
