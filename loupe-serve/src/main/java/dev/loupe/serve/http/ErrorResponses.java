package dev.loupe.serve.http;

import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Error bodies in the shape each API's clients parse: Ollama's {@code {"error": "..."}} under {@code /api/},
 * OpenAI's {@code {"error": {"message", "type", "param", "code"}}} everywhere else.
 */
final class ErrorResponses {
    private ErrorResponses() {}

    /** Marks a response whose error body is already ours, so the generic 404 page does not replace it. */
    static final String WRITTEN = "loupe.error-written";

    static void write(Context ctx, ApiError e) {
        ctx.attribute(WRITTEN, true);
        ctx.status(e.status);
        if (e.status == 429) ctx.header("Retry-After", "1");
        ctx.json(body(ctx.path(), e));
    }

    static Object body(String path, ApiError e) {
        if (path.startsWith("/api/")) return Map.of("error", e.getMessage());
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", e.getMessage());
        err.put("type", e.type);
        err.put("param", e.param);
        err.put("code", e.code);
        return Map.of("error", err);
    }
}
