package dev.loupe.serve.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * With {@code --api-key}, every API route needs {@code Authorization: Bearer KEY} (OpenAI's clients send it;
 * Ollama's send what OLLAMA_API_KEY-style proxies expect, the same header). Exempt: {@code /health}, for load
 * balancers, and the chat page's static files, which hold no data and could not send a header on page load; the
 * page sends the key with its API calls.
 */
final class ApiKeyCheck implements Handler {
    private final byte[] key;

    ApiKeyCheck(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    static boolean isApi(String path) {
        return path.startsWith("/v1/") || path.startsWith("/api/") || path.equals("/tokenize")
                || path.equals("/detokenize") || path.equals("/metrics");
    }

    @Override
    public void handle(Context ctx) {
        if (!isApi(ctx.path()) || "OPTIONS".equals(ctx.method().name())) return;
        String auth = ctx.header("Authorization");
        String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        // Constant-time comparison, so response timing does not reveal how much of a guess was right.
        if (given == null || !MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) throw ApiError.unauthorized();
    }
}
