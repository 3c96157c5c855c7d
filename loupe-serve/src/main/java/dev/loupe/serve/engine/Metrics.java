package dev.loupe.serve.engine;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and gauges, rendered in Prometheus' text format. Written by the scheduler thread (and by
 * handlers for request counts), read by /metrics from any thread.
 */
public final class Metrics {
    /** Seconds; chosen to separate a cache hit on a tiny model (ms) from a long prompt on a real one (s). */
    private static final double[] TTFT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    final AtomicInteger waiting = new AtomicInteger();
    final AtomicInteger active = new AtomicInteger();
    private final int slots;
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder cachedTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder decodeSteps = new LongAdder();
    private final LongAdder preempted = new LongAdder();
    private volatile int kvUsed, kvCached, kvFree, kvTotal;
    private final Histogram ttft = new Histogram(TTFT_BUCKETS);
    /** (time, tokens) of recent decode steps, for the tokens/s gauge. */
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();

    public Metrics(int slots) {
        this.slots = slots;
    }

    public int waiting() {
        return waiting.get();
    }

    public int active() {
        return active.get();
    }

    void prompt(int computed, int cached) {
        promptTokens.add(computed);
        cachedTokens.add(cached);
    }

    void firstToken(long nanos) {
        ttft.observe(nanos / 1e9);
    }

    synchronized void generated(int tokens, long now) {
        generatedTokens.add(tokens);
        recent.addLast(new long[]{now, tokens});
        while (!recent.isEmpty() && now - recent.peekFirst()[0] > RATE_WINDOW_NANOS) recent.removeFirst();
    }

    void decodeStep() {
        decodeSteps.increment();
    }

    void finished() {
        finished.increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    void preempted() {
        preempted.increment();
    }

    /** Blocks held by sequences, held only by the prefix cache, free, and in all. */
    void kvBlocks(int used, int cached, int free, int total) {
        kvUsed = used;
        kvCached = cached;
        kvFree = free;
        kvTotal = total;
    }

    public int kvBlocksUsed() {
        return kvUsed;
    }

    void rejected() {
        rejected.increment();
    }

    /** Generated tokens per second over the last ten seconds (0 when idle). */
    public synchronized double tokensPerSecond(long now) {
        while (!recent.isEmpty() && now - recent.peekFirst()[0] > RATE_WINDOW_NANOS) recent.removeFirst();
        long sum = 0;
        for (long[] r : recent) sum += r[1];
        return sum * 1e9 / RATE_WINDOW_NANOS;
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        gauge(b, "loupe_queue_length", "Requests waiting for a slot.", waiting.get());
        gauge(b, "loupe_active_sequences", "Sequences being prefilled or decoded.", active.get());
        gauge(b, "loupe_slots", "Sequences the server runs at once (--parallel).", slots);
        gauge(b, "loupe_generation_tokens_per_second", "Generated tokens per second over the last 10 s.", tokensPerSecond(System.nanoTime()));
        gauge(b, "loupe_kv_blocks_used", "KV cache blocks held by running sequences.", kvUsed);
        gauge(b, "loupe_kv_blocks_cached", "KV cache blocks held only by the prefix cache (evicted when needed).", kvCached);
        gauge(b, "loupe_kv_blocks_free", "KV cache blocks free.", kvFree);
        gauge(b, "loupe_kv_blocks_total", "KV cache blocks in the pool.", kvTotal);
        counter(b, "loupe_prompt_tokens_total", "Prompt tokens computed.", promptTokens.sum());
        counter(b, "loupe_prompt_cached_tokens_total", "Prompt tokens reused from the prefix cache.", cachedTokens.sum());
        counter(b, "loupe_generated_tokens_total", "Tokens generated.", generatedTokens.sum());
        counter(b, "loupe_decode_steps_total", "Batched decode steps run.", decodeSteps.sum());
        counter(b, "loupe_requests_finished_total", "Generations that ran to a stop or a limit.", finished.sum());
        counter(b, "loupe_requests_cancelled_total", "Generations cancelled, mostly by clients going away.", cancelled.sum());
        counter(b, "loupe_requests_preempted_total", "Sequences paused to free KV blocks, to be recomputed.", preempted.sum());
        counter(b, "loupe_requests_rejected_total", "Requests refused because the queue was full.", rejected.sum());
        ttft.render(b, "loupe_time_to_first_token_seconds", "From request submission to the first generated token.");
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        header(b, name, help, "gauge");
        b.append(name).append(' ').append(format(v)).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, long v) {
        header(b, name, help, "counter");
        b.append(name).append(' ').append(v).append('\n');
    }

    static void header(StringBuilder b, String name, String help, String type) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }
}
