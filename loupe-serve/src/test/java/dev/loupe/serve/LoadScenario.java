package dev.loupe.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mixed loopback traffic against a running test server, seeded so every run sends the same requests: well-formed
 * generations (streamed, not streamed, Ollama), slow clients (a body sent in two parts, a stream read slowly),
 * clients that hang up at a random point (streamed or not), malformed JSON, wrong types and oversized bodies.
 * Counts the statuses per kind; {@link LoopbackLoadTest} runs a CI-sized dose and {@link #main} a longer one.
 */
final class LoadScenario {
    enum Kind { COMPLETION, STREAM, OLLAMA, SLOW_SENDER, SLOW_READER, DROP_STREAM, HANG_UP, MALFORMED, WRONG_TYPE, OVERSIZED }

    /** What a client that hung up on purpose records instead of a status. */
    static final int HUNG_UP = 0;

    /** Status (or -1 for a connection the server closed on an oversized body) counts per kind. */
    final Map<Kind, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    private final TestServer server;

    LoadScenario(TestServer server) {
        this.server = server;
    }

    void run(int clients, int perClient) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Random random = new Random(c);
                all.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                        int status = send(kind, random);
                        statuses.computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
                                .computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        requests.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get(10, TimeUnit.MINUTES);
        }
    }

    int count(Kind kind, int status) {
        AtomicInteger n = statuses.getOrDefault(kind, Map.of()).get(status);
        return n == null ? 0 : n.get();
    }

    private int send(Kind kind, Random random) throws IOException, InterruptedException {
        int tokens = 1 + random.nextInt(4);
        String prompt = "Story " + random.nextInt(50) + ": once upon a time";
        return switch (kind) {
            case COMPLETION -> server.post("/v1/completions", Map.of("prompt", prompt, "max_tokens", tokens)).status();
            case STREAM -> {
                TestServer.Response r = server.post("/v1/completions", Map.of("prompt", prompt, "max_tokens", tokens, "stream", true));
                yield r.status() == 200 && !r.body().endsWith("data: [DONE]\n\n") ? 599 : r.status();
            }
            case OLLAMA -> server.post("/api/generate", Map.of("prompt", prompt, "stream", false,
                    "options", Map.of("num_predict", tokens))).status();
            case SLOW_SENDER -> slowSender("{\"prompt\": \"" + prompt + "\", \"max_tokens\": " + tokens + "}", random);
            case SLOW_READER -> slowReader("{\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"stream\":true}");
            case DROP_STREAM -> hangUp("{\"prompt\":\"" + prompt + "\",\"max_tokens\":-1,\"stream\":true}", random);
            case HANG_UP -> hangUp("{\"prompt\":\"" + prompt + "\",\"max_tokens\":-1}", random);
            case MALFORMED -> server.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": ").status();
            case WRONG_TYPE -> server.post("/v1/chat/completions", Map.of("messages", "not a list")).status();
            case OVERSIZED -> oversized();
        };
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.server.port());
        s.setSoTimeout(60_000);
        return s;
    }

    private static String head(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    /** Sends the headers and half the body, pauses, sends the rest; returns the status. */
    private int slowSender(String json, Random random) throws IOException, InterruptedException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("/v1/completions", body.length).getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            Thread.sleep(50 + random.nextInt(150));
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return status(all);
        }
    }

    /** Streams a reply and reads it a few bytes at a time with pauses; 200 only if the stream ends properly. */
    private int slowReader(String json) throws IOException, InterruptedException {
        try (RawClient c = new RawClient(server.server.port(), "/v1/completions", json)) {
            int status = Integer.parseInt(c.readUntil("HTTP/1.1").split(" ")[1]);
            if (status != 200) return status;
            for (int i = 0; i < 3; i++) {
                c.readUntil("data: ");
                Thread.sleep(30);
            }
            c.readUntil("data: [DONE]");
            return 200;
        }
    }

    /** Starts an endless generation and hangs up after a random pause (before or after its first tokens). */
    private int hangUp(String json, Random random) throws IOException, InterruptedException {
        try (RawClient c = new RawClient(server.server.port(), "/v1/completions", json)) {
            Thread.sleep(random.nextInt(60));
            return HUNG_UP;
        }
    }

    /** Two megabytes of JSON: refused with 413, or the connection is closed before it is all sent. */
    private int oversized() throws IOException {
        byte[] body = ("{\"prompt\": \"" + "x".repeat(2 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("/v1/completions", body.length).getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading it all; read what it said.
            }
            InputStream in = s.getInputStream();
            try {
                return status(new String(in.readNBytes(64), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return -1;
            }
        }
    }

    private static int status(String response) {
        return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
    }

    /** The longer variant: {@code LoadScenario [clients] [requests per client]} against a fresh test server. */
    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 125;
        try (TestServer server = new TestServer(TestServer.options().withParallel(4).withMaxQueue(1024))) {
            long t0 = System.nanoTime();
            LoadScenario load = new LoadScenario(server);
            load.run(clients, perClient);
            System.out.printf("%d requests in %.1f s: %s%n", load.requests.get(), (System.nanoTime() - t0) / 1e9, load.statuses);
            server.awaitMetric("loupe_active_sequences", 0, java.time.Duration.ofSeconds(30));
            System.out.println("kv blocks used after: " + server.metric("loupe_kv_blocks_used"));
        }
    }
}
