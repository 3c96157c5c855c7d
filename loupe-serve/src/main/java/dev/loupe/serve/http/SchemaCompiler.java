package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.sample.constrain.JsonSchema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's JSON Schema (response_format, Ollama's format, a tool's parameters) as the {@link JsonSchema} subset
 * constrained decoding understands. What it cannot honour is a 400 naming the keyword, never silently ignored: a
 * client that asks for {@code maxLength} must not get a longer string.
 */
final class SchemaCompiler {
    /** Keywords that describe without constraining. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "default", "examples", "strict", "name");
    private static final int MAX_DEPTH = 32;

    private final String param;

    /** @param param the request field the schema came from, named in errors */
    SchemaCompiler(String param) {
        this.param = param;
    }

    JsonSchema compile(JsonNode schema) {
        return compile(schema, "#", 0);
    }

    private JsonSchema compile(JsonNode s, String where, int depth) {
        if (depth > MAX_DEPTH) throw unsupported("schemas nested deeper than " + MAX_DEPTH, where);
        if (s.isBoolean() && s.asBoolean()) return new JsonSchema.AnyValue();
        if (!s.isObject()) throw ApiError.badRequest("the schema at " + where + " must be an object", param);
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ANNOTATIONS.contains(k) && !Set.of("type", "properties", "required", "additionalProperties", "items",
                    "enum", "const", "anyOf").contains(k)) {
                throw unsupported("'" + k + "'", where);
            }
        }
        if (s.has("enum") || s.has("const")) return literals(s, where);
        if (s.has("anyOf")) {
            JsonNode alts = s.get("anyOf");
            if (!alts.isArray() || alts.isEmpty()) throw ApiError.badRequest("'anyOf' at " + where + " must be a non-empty array", param);
            if (s.has("type")) throw unsupported("'anyOf' together with 'type'", where);
            List<JsonSchema> out = new ArrayList<>();
            for (int i = 0; i < alts.size(); i++) out.add(compile(alts.get(i), where + "/anyOf/" + i, depth + 1));
            return new JsonSchema.AnyOf(out);
        }
        JsonNode type = s.get("type");
        if (type == null) {
            if (s.has("properties")) return object(s, where, depth);
            if (s.has("items")) return array(s, where, depth);
            return new JsonSchema.AnyValue();
        }
        if (type.isArray()) {
            List<JsonSchema> out = new ArrayList<>();
            for (JsonNode t : type) out.add(typed(t, s, where, depth));
            if (out.isEmpty()) throw ApiError.badRequest("'type' at " + where + " is an empty array", param);
            return out.size() == 1 ? out.getFirst() : new JsonSchema.AnyOf(out);
        }
        return typed(type, s, where, depth);
    }

    private JsonSchema typed(JsonNode type, JsonNode s, String where, int depth) {
        return switch (type.asText()) {
            case "object" -> object(s, where, depth);
            case "array" -> array(s, where, depth);
            case "string" -> new JsonSchema.StringSchema();
            case "number" -> new JsonSchema.NumberSchema();
            case "integer" -> new JsonSchema.IntegerSchema();
            case "boolean" -> new JsonSchema.BooleanSchema();
            case "null" -> new JsonSchema.NullSchema();
            default -> throw ApiError.badRequest("unknown 'type' " + type + " at " + where, param);
        };
    }

    private JsonSchema object(JsonNode s, String where, int depth) {
        JsonNode extra = s.get("additionalProperties");
        if (extra != null && !extra.isBoolean()) throw unsupported("'additionalProperties' as a schema", where);
        JsonNode props = s.get("properties");
        Map<String, JsonSchema> properties = new LinkedHashMap<>();
        if (props != null) {
            if (!props.isObject()) throw ApiError.badRequest("'properties' at " + where + " must be an object", param);
            if (props.size() > JsonSchema.ObjectSchema.MAX_PROPERTIES) {
                throw unsupported("more than " + JsonSchema.ObjectSchema.MAX_PROPERTIES + " properties", where);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                properties.put(p.getKey(), compile(p.getValue(), where + "/properties/" + p.getKey(), depth + 1));
            }
        }
        Set<String> required = new HashSet<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) throw ApiError.badRequest("'required' at " + where + " must be an array", param);
            for (JsonNode r : req) {
                if (!properties.containsKey(r.asText())) {
                    throw unsupported("required property '" + r.asText() + "' that is not in 'properties'", where);
                }
                required.add(r.asText());
            }
        }
        if (properties.isEmpty() && extra != null && !extra.asBoolean()) {
            // {"type":"object","additionalProperties":false}: only the empty object.
            return new JsonSchema.EnumSchema(List.of("{}"));
        }
        return new JsonSchema.ObjectSchema(properties, required);
    }

    private JsonSchema array(JsonNode s, String where, int depth) {
        JsonNode items = s.get("items");
        return new JsonSchema.ArraySchema(items == null ? new JsonSchema.AnyValue() : compile(items, where + "/items", depth + 1));
    }

    private JsonSchema literals(JsonNode s, String where) {
        List<String> values = new ArrayList<>();
        if (s.has("const")) values.add(s.get("const").toString());
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            if (!e.isArray() || e.isEmpty()) throw ApiError.badRequest("'enum' at " + where + " must be a non-empty array", param);
            if (e.size() > 64) throw unsupported("'enum' with more than 64 values", where);
            for (JsonNode v : e) values.add(v.toString());
        }
        return new JsonSchema.EnumSchema(values);
    }

    private ApiError unsupported(String feature, String where) {
        return ApiError.badRequest("unsupported JSON Schema feature " + feature + " at " + where
                + " (supported: type, properties, required, additionalProperties, items, enum, const, anyOf)", param);
    }
}
