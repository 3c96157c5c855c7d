package dev.loupe.eval.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * POSTs JSON and reads JSON back, with a rate limit and retries: connection failures, 429 and 5xx are retried
 * with exponential backoff (or the server's Retry-After); other 4xx are the caller's fault and fail at once.
 */
public final class HttpJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final URI base;
    private final String apiKey;
    private final HttpPolicy policy;
    private final RateLimiter limiter;
    private final Sleeper sleeper;
    private long requests;

    public HttpJson(URI base, String apiKey, HttpPolicy policy, Sleeper sleeper) {
        this.client = HttpClient.newBuilder().connectTimeout(policy.timeout()).build();
        this.base = base;
        this.apiKey = apiKey;
        this.policy = policy;
        this.sleeper = sleeper;
        this.limiter = new RateLimiter(policy.requestsPerSecond(), System::nanoTime, sleeper);
    }

    /** HTTP requests sent, retries included. */
    public synchronized long requests() {
        return requests;
    }

    public JsonNode post(String path, JsonNode body) {
        URI uri = base.resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(policy.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null && !apiKey.isEmpty()) b.header("Authorization", "Bearer " + apiKey);
        HttpRequest req = b.build();
        String lastProblem = "";
        for (int attempt = 0; ; attempt++) {
            long waitNanos;
            try {
                limiter.acquire();
                synchronized (this) { requests++; }
                HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                int code = resp.statusCode();
                if (code / 100 == 2) return JSON.readTree(resp.body());
                lastProblem = "HTTP " + code + ": " + snippet(resp.body());
                if (code != 429 && code / 100 != 5) throw new LoupeException(uri + " answered " + lastProblem);
                waitNanos = retryAfter(resp).orElse(backoff(attempt));
            } catch (IOException e) {
                lastProblem = e.toString();
                waitNanos = backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoupeException("interrupted while calling " + uri);
            }
            if (attempt >= policy.maxRetries()) {
                throw new LoupeException(uri + " failed after " + (attempt + 1) + " attempts; last: " + lastProblem);
            }
            try {
                sleeper.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoupeException("interrupted while calling " + uri);
            }
        }
    }

    long backoff(int attempt) {
        long base = policy.initialBackoff().toNanos() << Math.min(attempt, 20);
        return Math.min(base, policy.maxBackoff().toNanos());
    }

    private Optional<Long> retryAfter(HttpResponse<?> resp) {
        return resp.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Math.min((long) (Double.parseDouble(v.trim()) * 1e9), policy.maxBackoff().toNanos()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static String snippet(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
