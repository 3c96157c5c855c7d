package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server on an ephemeral 127.0.0.1 port with a fixture model, and a small client for it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODELS = Path.of(System.getProperty("loupe.shared", "../../shared"), "fixtures", "models");
    /** Has a chat template; tiny, so tests are fast. */
    static final Path QWEN3 = MODELS.resolve("tiny-qwen3-f16.gguf");

    final LoupeServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiKey;

    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            return parse(body);
        }

        static JsonNode parse(String text) {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }
    }

    TestServer(ServerOptions options) {
        this(options, java.util.Map.of());
    }

    /** A server whose requests may name the given steering vectors. */
    TestServer(ServerOptions options, java.util.Map<String, dev.loupe.core.hook.Steering.Term> steering) {
        if (!Files.exists(QWEN3)) throw new AssertionError("fixture model missing: " + QWEN3.toAbsolutePath());
        this.server = LoupeServer.start(options.withPort(0), steering);
        this.apiKey = options.apiKey();
    }

    static ServerOptions options() {
        return ServerOptions.defaults(QWEN3.toString()).withModelsDir(MODELS).withThreads(2).withContextLength(2048);
    }

    static TestServer start() {
        return new TestServer(options());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    Response post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Response post(String path, Object body) {
        try {
            return post(path, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    Response send(HttpRequest r) {
        try {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            return new Response(res.statusCode(), res.body(), res);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A value from /metrics, e.g. {@code loupe_active_sequences}. */
    double metric(String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(get("/metrics").body());
        if (!m.find()) throw new AssertionError("no metric " + name);
        return Double.parseDouble(m.group(1));
    }

    /** Polls until the metric has the value or the deadline passes. */
    void awaitMetric(String name, double value, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (metric(name) != value) {
            if (System.nanoTime() > end) throw new AssertionError(name + " is " + metric(name) + ", expected " + value);
            Thread.sleep(20);
        }
    }

    static List<String> lines(String body) {
        return body.lines().toList();
    }

    @Override
    public void close() {
        server.close();
    }
}
