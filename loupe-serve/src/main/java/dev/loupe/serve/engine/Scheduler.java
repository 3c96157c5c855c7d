package dev.loupe.serve.engine;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Forward;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.constrain.TokenConstraint;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching. One thread owns the engine (a {@link Forward} shared by one {@link Session} per slot) and
 * loops: take new requests into free slots (reusing a cached prefix), run one batched prefill chunk of the waiting
 * prompts, then one decode step for every sequence that is generating. Requests thus join and leave between decode steps,
 * and a long prompt costs the others at most one chunk's time per step instead of stalling them.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final Tokenizer tokenizer;
    private final int vocabSize;
    private final int contextLength;
    private final int maxWaiting;
    private final int prefillChunk;
    private final Forward engine;
    private final Slot[] slots;
    private final Metrics metrics;
    /** Handlers put new sequences here, and {@link #WAKE} when a ticket is cancelled; the scheduler drains it. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private static final Object WAKE = new Object();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param parallel     sequences decoded together (slots, each with a KV cache of {@code contextLength})
     * @param maxWaiting   requests allowed to wait for a slot before new ones are refused
     * @param prefillChunk prompt tokens computed per scheduler step
     */
    public Scheduler(Model model, Tokenizer tokenizer, ThreadPool pool, int parallel, int contextLength, int maxWaiting,
                     int prefillChunk) {
        if (parallel < 1) throw new LoupeException("--parallel must be at least 1, got " + parallel);
        if (prefillChunk < 1) throw new LoupeException("the prefill chunk must be at least 1 token");
        this.tokenizer = tokenizer;
        this.vocabSize = model.config().vocabSize();
        this.contextLength = contextLength;
        this.maxWaiting = maxWaiting;
        this.prefillChunk = prefillChunk;
        this.engine = new Forward(model, pool, Math.max(parallel, prefillChunk), contextLength);
        this.slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) slots[i] = new Slot(i, new Session(model, contextLength, engine));
        this.metrics = new Metrics(parallel);
        warmUp();
        this.thread = Thread.ofPlatform().name("loupe-scheduler").daemon().start(this::loop);
    }

    /**
     * Runs a few tokens through prefill and a batched decode before the first request, so the JIT has compiled the
     * kernels and the first client's time to first token measures the model, not the compiler.
     */
    private void warmUp() {
        Slot slot = slots[0];
        int n = Math.min(8, contextLength - 1);
        if (n < 1) return;
        slot.session.prefill(new int[n]);
        engine.decode(new Session[]{slot.session}, new int[1], 1);
        slot.truncate(0);
    }

    public Metrics metrics() {
        return metrics;
    }

    public int contextLength() {
        return contextLength;
    }

    /**
     * Queues a generation. The prompt must be non-empty and shorter than the context (the HTTP layer says so
     * in its own words first).
     *
     * @throws QueueFullException when {@code maxWaiting} requests are already waiting
     */
    public Ticket submit(int[] prompt, SamplingParams params) {
        return submit(prompt, params, false);
    }

    /**
     * @param scorePrompt also report every prompt token's logprob ({@link Event.PromptToken}); such a prompt is not
     *                    taken from the prefix cache, since its logits are needed
     */
    public Ticket submit(int[] prompt, SamplingParams params, boolean scorePrompt) {
        return submit(prompt, params, scorePrompt, null);
    }

    /** @param constraint null, or a fresh constraint that every sampled token of this request must satisfy */
    public Ticket submit(int[] prompt, SamplingParams params, boolean scorePrompt, TokenConstraint constraint) {
        if (prompt.length == 0) throw new LoupeException("the prompt is empty");
        if (prompt.length >= contextLength) {
            throw new LoupeException("the prompt has " + prompt.length + " tokens but the context holds " + contextLength);
        }
        if (closed) throw new LoupeException("the server is shutting down");
        int now = metrics.waiting.incrementAndGet();
        if (now > maxWaiting) {
            metrics.waiting.decrementAndGet();
            metrics.rejected();
            throw new QueueFullException(now - 1);
        }
        Ticket ticket = new Ticket(this::wake);
        inbox.add(new Sequence(ticket, prompt.clone(), params, scorePrompt, constraint, tokenizer, vocabSize, System.nanoTime()));
        return ticket;
    }

    private void wake() {
        inbox.offer(WAKE);
    }

    private void loop() {
        while (!closed) {
            try {
                if (running.isEmpty() && waiting.isEmpty()) {
                    if (inbox.poll(200, TimeUnit.MILLISECONDS) instanceof Sequence s) waiting.add(s);
                }
                step();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                // A bug in one step must not take the server down: fail what was running and go on.
                LOG.log(Level.SEVERE, "scheduler step failed", e);
                for (Sequence s : List.copyOf(running)) end(s, () -> s.fail("internal error: " + e));
            }
        }
        for (Sequence s : List.copyOf(running)) end(s, () -> s.fail("the server is shutting down"));
        for (Sequence s : waiting) s.fail("the server is shutting down");
        for (Object o; (o = inbox.poll()) != null; ) if (o instanceof Sequence s) s.fail("the server is shutting down");
    }

    /** One round: admit, drop cancelled, one batched prefill chunk, one decode step. */
    void step() {
        for (Object o; (o = inbox.poll()) != null; ) if (o instanceof Sequence s) waiting.add(s);
        dropCancelled();
        admit();
        prefillSome();
        decodeAll();
    }

    private void dropCancelled() {
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.ticket.cancelled()) {
                it.remove();
                metrics.waiting.decrementAndGet();
                metrics.cancelled();
            }
        }
        for (Sequence s : List.copyOf(running)) {
            if (s.ticket.cancelled()) {
                end(s, () -> {});
                metrics.cancelled();
            }
        }
    }

    /** Gives free slots to waiting requests in arrival order, each to the slot that shares most of its prompt. */
    private void admit() {
        while (!waiting.isEmpty()) {
            Sequence s = waiting.peekFirst();
            Slot best = null;
            int bestCommon = -1;
            for (Slot slot : slots) {
                if (!slot.free()) continue;
                int common = slot.commonPrefix(s.prompt);
                if (common > bestCommon || common == bestCommon && slot.lastUsed() < best.lastUsed()) {
                    best = slot;
                    bestCommon = common;
                }
            }
            if (best == null) return;
            waiting.removeFirst();
            metrics.waiting.decrementAndGet();
            metrics.active.incrementAndGet();
            // Re-feed at least the last prompt token: its logits are where sampling starts.
            int reuse = s.scorePrompt ? 0 : Math.min(bestCommon, s.prompt.length - 1);
            best.truncate(reuse);
            best.owner = s;
            s.slot = best;
            s.prefilled = reuse;
            s.cachedTokens = reuse;
            s.admitted = System.nanoTime();
            metrics.prompt(s.prompt.length - reuse, reuse);
            if (s.scorePrompt) s.startScoring();
            running.add(s);
        }
    }

    /**
     * Runs up to {@code prefillChunk} prompt tokens, oldest prompts first, of as many sequences as fit, in one pass
     * over the weights; a prompt that completes samples its first token. Many short prompts arriving together thus
     * cost one pass, not one each, and a long one is spread over several loops.
     */
    private void prefillSome() {
        List<Sequence> batch = new ArrayList<>();
        List<int[]> chunks = new ArrayList<>();
        int budget = prefillChunk;
        for (Sequence s : running) {
            if (budget == 0) break;
            if (!s.prefilling() || s.scorePrompt) continue;
            int n = Math.min(budget, s.prompt.length - s.prefilled);
            batch.add(s);
            chunks.add(Arrays.copyOfRange(s.prompt, s.prefilled, s.prefilled + n));
            budget -= n;
        }
        if (batch.isEmpty()) return;
        int n = batch.size();
        Session[] sessions = new Session[n];
        for (int i = 0; i < n; i++) sessions[i] = batch.get(i).slot.session;
        float[] logits;
        try {
            logits = engine.prefill(sessions, chunks.toArray(new int[0][]), n);
        } catch (LoupeException e) {
            for (Sequence s : batch) end(s, () -> s.fail(e.getMessage()));
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Sequence s = batch.get(i);
            int[] chunk = chunks.get(i);
            s.slot.fed(chunk, 0, chunk.length);
            s.prefilled += chunk.length;
            if (s.prefilling()) continue;
            boolean done = s.accept(logits, i, now);
            metrics.firstToken(now - s.submitted);
            metrics.generated(1, now);
            if (done) end(s, metrics::finished);
        }
    }

    private void decodeAll() {
        List<Sequence> batch = new ArrayList<>(running.size());
        for (Sequence s : running) if (s.nextInput() >= 0) batch.add(s);
        int n = batch.size();
        if (n == 0) return;
        Session[] sessions = new Session[n];
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            sessions[i] = batch.get(i).slot.session;
            tokens[i] = batch.get(i).nextInput();
        }
        float[] logits = engine.decode(sessions, tokens, n);
        long now = System.nanoTime();
        metrics.decodeStep();
        int generated = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = batch.get(i);
            s.slot.fed(tokens[i]);
            boolean done;
            if (s.scoring()) {
                done = s.scored(logits, i, now);
                if (!s.prefilling()) {
                    metrics.firstToken(now - s.submitted);
                    generated++;
                }
            } else {
                s.pending = -1;
                done = s.accept(logits, i, now);
                generated++;
            }
            if (done) end(s, metrics::finished);
        }
        metrics.generated(generated, now);
    }

    /** Takes a sequence off its slot (whose cache stays for prefix reuse) after {@code last} reports its end. */
    private void end(Sequence s, Runnable last) {
        last.run();
        running.remove(s);
        s.slot.release(System.nanoTime());
        metrics.active.decrementAndGet();
    }

    @Override
    public void close() {
        closed = true;
        wake();
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
