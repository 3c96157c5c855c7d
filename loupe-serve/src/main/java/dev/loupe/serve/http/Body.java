package dev.loupe.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON request body with typed, range-checked reads. Every mistake becomes a 400 naming the field, so a client
 * learns what to fix instead of getting a default it did not ask for.
 */
final class Body {
    private final ObjectNode node;

    private Body(ObjectNode node) {
        this.node = node;
    }

    static Body parse(ObjectMapper json, byte[] bytes) {
        if (bytes.length == 0) throw ApiError.badRequest("the request body is empty; send a JSON object");
        JsonNode n;
        try {
            n = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
        if (!(n instanceof ObjectNode o)) throw ApiError.badRequest("the request body must be a JSON object");
        return new Body(o);
    }

    /** A nested object (Ollama's {@code options}); an empty body when absent. */
    Body object(String field) {
        JsonNode n = present(field);
        if (n == null) return new Body(new ObjectMapper().createObjectNode());
        if (!(n instanceof ObjectNode o)) throw ApiError.badRequest("'" + field + "' must be an object", field);
        return new Body(o);
    }

    boolean has(String field) {
        return present(field) != null;
    }

    JsonNode raw(String field) {
        return present(field);
    }

    String string(String field, String fallback) {
        JsonNode n = present(field);
        if (n == null) return fallback;
        if (!n.isTextual()) throw ApiError.badRequest("'" + field + "' must be a string", field);
        return n.asText();
    }

    String requiredString(String field) {
        String s = string(field, null);
        if (s == null) throw ApiError.badRequest("'" + field + "' is required", field);
        return s;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode n = present(field);
        if (n == null) return fallback;
        if (!n.isBoolean()) throw ApiError.badRequest("'" + field + "' must be true or false", field);
        return n.asBoolean();
    }

    double number(String field, double fallback, double min, double max) {
        JsonNode n = present(field);
        if (n == null) return fallback;
        if (!n.isNumber()) throw ApiError.badRequest("'" + field + "' must be a number", field);
        double v = n.asDouble();
        if (!(v >= min && v <= max)) throw ApiError.badRequest("'" + field + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + fmt(v), field);
        return v;
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode n = present(field);
        if (n == null) return fallback;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiError.badRequest("'" + field + "' must be an integer", field);
        }
        long v = n.asLong();
        if (v < min || v > max) throw ApiError.badRequest("'" + field + "' must be between " + min + " and " + max + ", got " + v, field);
        return v;
    }

    /** A string or an array of strings (OpenAI's {@code stop}). */
    List<String> strings(String field) {
        JsonNode n = present(field);
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) out.add(n.asText());
        else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) throw ApiError.badRequest("'" + field + "' must be a string or an array of strings", field);
                out.add(e.asText());
            }
        } else throw ApiError.badRequest("'" + field + "' must be a string or an array of strings", field);
        for (String s : out) if (s.isEmpty()) throw ApiError.badRequest("'" + field + "' must not contain empty strings", field);
        return out;
    }

    /** An array of integers (token ids). */
    int[] ints(String field) {
        JsonNode n = present(field);
        if (n == null) throw ApiError.badRequest("'" + field + "' is required", field);
        if (!n.isArray()) throw ApiError.badRequest("'" + field + "' must be an array of integers", field);
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).canConvertToInt() || !n.get(i).isIntegralNumber()) throw ApiError.badRequest("'" + field + "' must be an array of integers", field);
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    /** JSON null counts as absent, as OpenAI's clients send explicit nulls for unset options. */
    private JsonNode present(String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
