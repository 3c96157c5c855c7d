package dev.loupe.serve.engine;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Forward;
import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.KvPool;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
    private final KvPool kv;
    private final PrefixCache prefixes;
    private final Slot[] slots;
    private final int[] matched;
    private final Metrics metrics;
    private final BatchSteering steering;
    /** Handlers put new sequences here, and {@link #WAKE} when a ticket is cancelled; the scheduler drains it. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private static final Object WAKE = new Object();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    /** A pool of {@code parallel} whole contexts: every sequence can always grow to its context. */
    public Scheduler(Model model, Tokenizer tokenizer, ThreadPool pool, int parallel, int contextLength, int maxWaiting,
                     int prefillChunk) {
        this(model, tokenizer, pool, parallel, contextLength,
                parallel * ((contextLength + KvPool.DEFAULT_BLOCK_SIZE - 1) / KvPool.DEFAULT_BLOCK_SIZE), maxWaiting, prefillChunk);
    }

    /**
     * @param parallel      sequences decoded together (at most this many hold KV blocks at once)
     * @param contextLength tokens one sequence may hold; at most the pool's capacity
     * @param kvBlocks      KV blocks of {@link KvPool#DEFAULT_BLOCK_SIZE} positions shared by all sequences and the
     *                      prefix cache; a sequence takes them as it grows
     * @param maxWaiting    requests allowed to wait for a slot before new ones are refused
     * @param prefillChunk  prompt tokens computed per scheduler step
     */
    public Scheduler(Model model, Tokenizer tokenizer, ThreadPool pool, int parallel, int contextLength, int kvBlocks,
                     int maxWaiting, int prefillChunk) {
        this(model, tokenizer, pool, parallel, contextLength, kvBlocks, maxWaiting, prefillChunk, KvFormat.DEFAULT);
    }

    /** As above, the pool storing keys and values as {@code kvFormat}. */
    public Scheduler(Model model, Tokenizer tokenizer, ThreadPool pool, int parallel, int contextLength, int kvBlocks,
                     int maxWaiting, int prefillChunk, KvFormat kvFormat) {
        if (parallel < 1) throw new LoupeException("--parallel must be at least 1, got " + parallel);
        if (prefillChunk < 1) throw new LoupeException("the prefill chunk must be at least 1 token");
        this.kv = new KvPool(model.config(), kvBlocks, KvPool.DEFAULT_BLOCK_SIZE, kvFormat);
        if (contextLength > kv.capacity()) {
            throw new LoupeException("a context of " + contextLength + " tokens does not fit the KV pool of " + kv.capacity()
                    + " tokens; lower --ctx or give the cache more memory");
        }
        this.tokenizer = tokenizer;
        this.vocabSize = model.config().vocabSize();
        this.contextLength = contextLength;
        this.maxWaiting = maxWaiting;
        this.prefillChunk = prefillChunk;
        this.engine = new Forward(model, pool, Math.max(parallel, prefillChunk), contextLength);
        this.prefixes = new PrefixCache(kv);
        this.slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) {
            slots[i] = new Slot(i, new Session(model, contextLength, engine, kv), kv.blockSize());
        }
        this.matched = new int[kv.blocksFor(contextLength)];
        this.metrics = new Metrics(parallel);
        this.steering = new BatchSteering(model.config().layers());
        warmUp();
        updateKvGauges();
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
        slot.clear();
    }

    public Metrics metrics() {
        return metrics;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Tokens the shared KV pool holds. */
    public int kvCapacity() {
        return kv.capacity();
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
        return submit(prompt, params, scorePrompt, constraint, null);
    }

    /**
     * @param steer null, or vectors added to this request's residual stream at every position (its rows only: the
     *              other sequences of a batch are not touched); its KV blocks are cached apart from unsteered ones
     */
    public Ticket submit(int[] prompt, SamplingParams params, boolean scorePrompt, TokenConstraint constraint, Steering steer) {
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
        Sequence s = new Sequence(ticket, prompt.clone(), params, scorePrompt, constraint, tokenizer, vocabSize, System.nanoTime());
        s.steering = steer == null || steer.isEmpty() ? null : steer;
        inbox.add(s);
        return ticket;
    }

    private void wake() {
        inbox.offer(WAKE);
    }

    private void loop() {
        while (!closed) {
            try {
                if (running.isEmpty() && waiting.isEmpty()) take(inbox.poll(200, TimeUnit.MILLISECONDS));
                step();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                // A bug in one step must not take the server down: fail what was running and go on.
                LOG.log(Level.SEVERE, "scheduler step failed", e);
                for (Sequence s : List.copyOf(running)) end(s, () -> s.fail("internal error: " + e));
                updateKvGauges();
            }
        }
        for (Sequence s : List.copyOf(running)) end(s, () -> s.fail("the server is shutting down"));
        for (Sequence s : waiting) s.fail("the server is shutting down");
        for (Object o; (o = inbox.poll()) != null; ) {
            if (o instanceof Sequence s) s.fail("the server is shutting down");
            else if (o instanceof EngineTask<?> t) t.result().completeExceptionally(new LoupeException("the server is shutting down"));
        }
    }

    /** One round: admit, drop cancelled, one batched prefill chunk, one decode step. */
    void step() {
        for (Object o; (o = inbox.poll()) != null; ) take(o);
        dropCancelled();
        admit();
        prefillSome();
        decodeAll();
        updateKvGauges();
    }

    /** Files what a handler sent: a new sequence waits; an engine task runs now, between two steps. */
    private void take(Object o) {
        if (o instanceof Sequence s) waiting.add(s);
        else if (o instanceof EngineTask<?> t) t.run(engine);
    }

    /** Work that needs the engine to itself for a moment (embeddings), and where its result goes. */
    private record EngineTask<T>(Function<Forward, T> work, CompletableFuture<T> result) {
        void run(Forward engine) {
            try {
                result.complete(work.apply(engine));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Runs {@code work} on the scheduler thread between two steps, with the engine to itself (it is not thread-safe
     * and shares the thread pool): for passes that are not generation, such as embeddings. {@code work} must leave
     * the slots' sessions alone.
     */
    public <T> CompletableFuture<T> onEngine(Function<Forward, T> work) {
        if (closed) throw new LoupeException("the server is shutting down");
        CompletableFuture<T> result = new CompletableFuture<>();
        inbox.add(new EngineTask<>(work, result));
        return result;
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

    /**
     * Gives free slots to waiting requests in arrival order (preempted ones first), each starting from the longest run
     * of cached blocks its prompt begins with, as long as the pool has blocks for the rest of its prompt plus one
     * block of headroom per running sequence (so decoding rarely has to preempt).
     */
    private void admit() {
        while (!waiting.isEmpty()) {
            Slot slot = freeSlot();
            if (slot == null) return;
            Sequence s = waiting.peekFirst();
            int[] tokens = s.recompute != null ? s.recompute : s.prompt;
            // A fresh prompt re-feeds at least its last token: its logits are where sampling starts. A scored prompt
            // needs every position's logits, so it takes nothing from the cache.
            int usable = s.recompute != null ? tokens.length : s.scorePrompt ? 0 : tokens.length - 1;
            int shared = prefixes.match(s.prefixRoot(), tokens, usable, matched);
            slot.adopt(s.prefixRoot(), matched, shared, tokens);
            int need = kv.blocksFor(tokens.length) - shared + running.size();
            if (!prefixes.makeRoom(need) && !running.isEmpty()) {
                slot.clear(); // wait for running sequences to finish and free their blocks
                return;
            }
            waiting.removeFirst();
            metrics.waiting.decrementAndGet();
            if (!slot.session.reserve(tokens.length)) {
                // Cannot happen while the context fits the pool (checked at start-up); never spin on it.
                slot.clear();
                s.fail("the KV cache pool cannot hold " + tokens.length + " tokens");
                continue;
            }
            metrics.active.incrementAndGet();
            int reuse = shared * kv.blockSize();
            slot.owner = s;
            s.slot = slot;
            s.admitted = s.admitted == 0 ? System.nanoTime() : s.admitted;
            if (s.recompute != null) {
                s.recomputed = reuse;
                if (reuse == tokens.length) s.recompute = null;
            } else {
                s.prefilled = reuse;
                s.cachedTokens = reuse;
                metrics.prompt(s.prompt.length - reuse, reuse);
                if (s.scorePrompt) s.startScoring();
            }
            running.add(s);
        }
    }

    private Slot freeSlot() {
        for (Slot slot : slots) if (slot.free()) return slot;
        return null;
    }

    /**
     * Takes a running sequence's blocks back for the others when the pool is out of them (vLLM's preemption by
     * recomputation): the youngest sequence goes back to the head of the queue with the tokens it had fed, to
     * compute them again (mostly from the prefix cache) when blocks are free; its client sees only a pause.
     */
    private void preempt(Sequence s) {
        s.recompute = s.slot.tokens();
        s.recomputed = 0;
        running.remove(s);
        s.slot.clear();
        s.slot = null;
        waiting.addFirst(s);
        metrics.active.decrementAndGet();
        metrics.waiting.incrementAndGet();
        metrics.preempted();
    }

    /**
     * Makes sure every sequence of {@code batch} has a block for one more token: from the free list, else by
     * evicting idle cached blocks, else by preempting the youngest running sequence (dropped from the batch if in it).
     */
    private void reserveOrPreempt(List<Sequence> batch) {
        for (int i = 0; i < batch.size(); ) {
            Session session = batch.get(i).slot.session;
            if (session.reserve(session.position() + 1)) {
                i++;
                continue;
            }
            if (prefixes.makeRoom(1)) continue;
            Sequence victim = running.getLast();
            preempt(victim);
            int v = batch.indexOf(victim);
            if (v >= 0) {
                batch.remove(v);
                if (v < i) i--;
            }
        }
    }

    /**
     * Runs up to {@code prefillChunk} prompt tokens, oldest prompts first, of as many sequences as fit, in one pass
     * over the weights; a prompt that completes samples its first token. Many short prompts arriving together thus
     * cost one pass, not one each, and a long one is spread over several loops. Tokens a preempted sequence must
     * compute again go the same way, silently. Admission reserved the blocks.
     */
    private void prefillSome() {
        List<Sequence> batch = new ArrayList<>();
        List<int[]> chunks = new ArrayList<>();
        int budget = prefillChunk;
        for (Sequence s : running) {
            if (budget == 0) break;
            if (!s.needsPrefill()) continue;
            int[] source = s.recompute != null ? s.recompute : s.prompt;
            int from = s.recompute != null ? s.recomputed : s.prefilled;
            int n = Math.min(budget, source.length - from);
            batch.add(s);
            chunks.add(Arrays.copyOfRange(source, from, from + n));
            budget -= n;
        }
        if (batch.isEmpty()) return;
        int n = batch.size();
        Session[] sessions = new Session[n];
        for (int i = 0; i < n; i++) sessions[i] = batch.get(i).slot.session;
        int rows = 0;
        for (int[] c : chunks) rows += c.length;
        Steering[] rowSteering = new Steering[rows];
        for (int i = 0, r = 0; i < n; r += chunks.get(i).length, i++) {
            java.util.Arrays.fill(rowSteering, r, r + chunks.get(i).length, batch.get(i).steering);
        }
        float[] logits;
        engine.setHooks(steering.hooks(rowSteering, rows));
        try {
            logits = engine.prefill(sessions, chunks.toArray(new int[0][]), n);
        } catch (LoupeException e) {
            for (Sequence s : batch) end(s, () -> s.fail(e.getMessage()));
            return;
        } finally {
            engine.setHooks(null);
        }
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Sequence s = batch.get(i);
            int[] chunk = chunks.get(i);
            s.slot.fed(chunk, 0, chunk.length);
            s.slot.publish(prefixes);
            if (s.recompute != null) {
                s.recomputed += chunk.length;
                if (s.recomputed == s.recompute.length) s.recompute = null; // back where it was; decoding goes on
                continue;
            }
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
        reserveOrPreempt(batch);
        int n = batch.size();
        if (n == 0) return;
        Session[] sessions = new Session[n];
        int[] tokens = new int[n];
        Steering[] rowSteering = new Steering[n];
        for (int i = 0; i < n; i++) {
            sessions[i] = batch.get(i).slot.session;
            tokens[i] = batch.get(i).nextInput();
            rowSteering[i] = batch.get(i).steering;
        }
        float[] logits;
        engine.setHooks(steering.hooks(rowSteering, n));
        try {
            logits = engine.decode(sessions, tokens, n);
        } finally {
            engine.setHooks(null);
        }
        long now = System.nanoTime();
        metrics.decodeStep();
        int generated = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = batch.get(i);
            s.slot.fed(tokens[i]);
            s.slot.publish(prefixes);
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

    /**
     * Takes a sequence off its slot after {@code last} reports its end; its blocks go back to the pool, except the
     * full ones the prefix cache keeps for later prompts.
     */
    private void end(Sequence s, Runnable last) {
        last.run();
        running.remove(s);
        s.slot.clear();
        metrics.active.decrementAndGet();
    }

    private void updateKvGauges() {
        int cached = prefixes.idleBlocks();
        metrics.kvBlocks(kv.usedBlocks() - cached, cached, kv.freeBlocks(), kv.blocks());
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
        // The KV pool is off-heap: free it once nothing can compute on it any more.
        if (!thread.isAlive()) kv.close();
    }
}
