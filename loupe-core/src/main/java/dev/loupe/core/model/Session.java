package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.context.ContextPolicy;
import dev.loupe.core.parallel.ThreadPool;

/**
 * One sequence being run through a model: its KV cache and its position. The computation is a
 * {@link Forward}, which several sessions may share (batched serving) or a session may own.
 * Not thread-safe: one session, one caller.
 */
public final class Session implements AutoCloseable {
    /** Prompt tokens per forward batch: large enough that weights are read once per many tokens, small enough for modest scratch. */
    public static final int PREFILL_BATCH = 128;

    private final Model model;
    private final ModelConfig c;
    private final Forward forward;
    private final ThreadPool ownedPool;
    private final KvCache cache;
    /** The cache is a block table on a shared pool (blocks come and go) rather than a private one (all held). */
    private final boolean paged;
    private final KvCache[] caches;
    private final int[] positions;
    private final int[] logitRow = new int[1];
    private final int[] one = new int[1];
    private final float[] logits;
    /** 0, 1, ..., maxBatch - 1: every row's logits, for {@link #forwardAll}; made on first use. */
    private int[] everyRow;
    private int position;
    /** What happens when the context is full; see {@link #setContextPolicy}. */
    private ContextPolicy policy = new ContextPolicy.None();
    /** Scratch for the policy's plan, and the rotation that moves kept keys; made when a policy is set. */
    private int[] keepScratch;
    private Rope shiftRope;
    private long evicted;
    /** The token at each position, for recomputing the cache when offloaded rows fail their check. */
    private int[] history = new int[64];
    /** Leading positions whose tokens {@link #history} knows (not synthetic, not adopted from another sequence). */
    private int known;
    private int recomputations;
    private java.util.function.Consumer<String> warnings = System.err::println;

    /** A session with its own forward engine on {@code pool} (or a new pool of all cores when null). */
    public Session(Model model, int contextLength, ThreadPool pool) {
        this(model, contextLength, pool, KvFormat.DEFAULT);
    }

    /** A session with its own forward engine on {@code pool} (or all cores when null) and a cache of {@code format}. */
    public Session(Model model, int contextLength, ThreadPool pool, KvFormat format) {
        this(model, contextLength, pool, format, null);
    }

    /**
     * As {@link #Session(Model, int, ThreadPool, KvFormat)}, with the cache's blocks beyond {@code offload}'s RAM budget
     * spilled to a file in its directory (null: all in RAM). See {@link SpillStorage}.
     */
    public Session(Model model, int contextLength, ThreadPool pool, KvFormat format, KvOffload offload) {
        this(model, contextLength, pool, null, null, format, offload);
    }

    /** A session computing with a shared {@code forward} engine. */
    public Session(Model model, int contextLength, Forward forward) {
        this(model, contextLength, null, forward, null, KvFormat.DEFAULT);
    }

    /** A session computing with a shared {@code forward} engine, its private cache of {@code format}. */
    public Session(Model model, int contextLength, Forward forward, KvFormat format) {
        this(model, contextLength, null, forward, null, format);
    }

    /**
     * A session computing with a shared {@code forward} engine whose cache is a block table on a shared {@code kv}
     * pool: it takes blocks as it grows ({@link #reserve}) and gives them back when rewound ({@link #rewind}, so
     * {@code rewind(0)} frees all). For a server running many sequences in one memory budget.
     */
    public Session(Model model, int contextLength, Forward forward, KvPool kv) {
        this(model, contextLength, null, forward, kv, kv.format());
    }

    private Session(Model model, int contextLength, ThreadPool pool, Forward shared, KvPool kv, KvFormat format) {
        this(model, contextLength, pool, shared, kv, format, null);
    }

    private Session(Model model, int contextLength, ThreadPool pool, Forward shared, KvPool kv, KvFormat format, KvOffload offload) {
        if (contextLength <= 0) throw new LoupeException("context length must be positive");
        this.model = model;
        this.c = model.config();
        if (shared != null) {
            this.forward = shared;
            this.ownedPool = null;
        } else {
            this.ownedPool = pool == null ? new ThreadPool(ThreadPool.defaultThreads()) : null;
            this.forward = new Forward(model, pool != null ? pool : ownedPool, Math.min(PREFILL_BATCH, contextLength), contextLength);
        }
        this.cache = kv == null ? KvCache.privateCache(c, contextLength, format, offload) : new KvCache(kv, contextLength);
        this.paged = kv != null;
        int B = forward.maxBatch();
        this.caches = new KvCache[B];
        java.util.Arrays.fill(caches, cache);
        this.positions = new int[B];
        this.logits = new float[c.vocabSize()];
    }

    public Model model() {
        return model;
    }

    public int position() {
        return position;
    }

    public int contextLength() {
        return cache.capacity;
    }

    /**
     * Chooses what happens when the context fills (see {@link ContextPolicy}): by default ({@code none}) running past
     * it is an error; under another policy the session evicts cached positions and re-positions the rest, so
     * {@link #position()} (the next token's position, the count of cached positions) can go down and the session runs
     * on for ever within the context's memory. {@link #prefill} and {@link #forward} evict; {@link #prefillAll},
     * {@link #forwardAll} and rollback ({@link #rewind}) work within the context only. A session of its own only (a
     * shared pool's blocks may be shared).
     */
    public void setContextPolicy(ContextPolicy p) {
        if (p instanceof ContextPolicy.None) {
            policy = p;
            cache.scores = null;
            return;
        }
        if (paged) throw new LoupeException("context policies need a session with its own KV cache, not a shared pool");
        p.validate(cache.capacity);
        policy = p;
        keepScratch = new int[cache.capacity];
        if (shiftRope == null) shiftRope = new Rope(c, model.weights().ropeFreqs());
        cache.scores = p.needsScores() ? new float[cache.capacity] : null;
    }

    public ContextPolicy contextPolicy() {
        return policy;
    }

    /** Whether the policy evicts when the context is full (any but {@code none}): the session then never runs out. */
    public boolean evicts() {
        return !(policy instanceof ContextPolicy.None);
    }

    /** Whether another token can be run: room in the context, or a policy that makes room. */
    public boolean canContinue() {
        return evicts() || position < cache.capacity;
    }

    /** Positions the context policy evicted since the session was last empty. */
    public long evicted() {
        return evicted;
    }

    /** Accumulated attention per cached position (a copy), when the policy tracks it (H2O); else null. */
    public float[] attentionScores() {
        return cache.scores == null ? null : java.util.Arrays.copyOf(cache.scores, position);
    }

    /**
     * Room for up to {@code n} more tokens: the count that fit now, after the policy evicted if the context was full.
     * Under {@code none} all n must fit or it is the "context is full" error.
     */
    private int makeRoom(int n) {
        if (!evicts()) {
            if (position + n > cache.capacity) {
                throw new LoupeException("context is full (" + cache.capacity + " tokens); start a new session, raise the context size or choose a context policy");
            }
            return n;
        }
        int room = policy.room(position, cache.capacity);
        if (room == 0) {
            int kept = policy.plan(position, Math.max(n, evictionStep(cache.pool.format().keys(), cache.capacity)), cache.capacity, cache.scores, keepScratch);
            cache.compact(keepScratch, kept, shiftRope, c.kvHeads(), c.headDim());
            evicted += position - kept;
            position = kept;
            // The kept rows were moved and re-rotated: the recorded tokens no longer recompute them.
            known = 0;
            room = policy.room(position, cache.capacity);
        }
        return Math.min(n, room);
    }

    /**
     * Positions to free at least per eviction. Every eviction re-rotates the moved keys and stores them again; in a
     * quantized key cache each store adds fresh rounding error, and evicting one position per token (sinks, h2o)
     * requantized a key once per token it stayed, until attention was noise (Q4_0 keys: perplexity 77 -> 124). Freeing
     * an eighth of the context at a time bounds a key's re-stores to about eight, at the cost of a window up to an
     * eighth shorter just after each eviction. F16 and F32 keys keep the exact one-at-a-time rule.
     */
    public static int evictionStep(dev.loupe.core.tensor.GgmlType keyType, int capacity) {
        return keyType.isQuantized() ? Math.max(1, capacity / 8) : 1;
    }

    /** The cache this session writes; for batching several sessions in one {@link Forward#step}. */
    KvCache cache() {
        return cache;
    }

    void advance(int n) {
        position += n;
    }

    /**
     * Forgets everything after position {@code pos} (keeps the cache prefix [0, pos)). A session on a shared pool
     * gives the blocks past {@code pos} back to it.
     */
    public void rewind(int pos) {
        if (pos < 0 || pos > position) throw new IllegalArgumentException("cannot rewind to " + pos + " from " + position);
        position = pos;
        known = Math.min(known, pos);
        if (paged) cache.truncate(pos);
        if (cache.scores != null) java.util.Arrays.fill(cache.scores, pos, cache.capacity, 0f);
        if (pos == 0) evicted = 0;
    }

    /**
     * Makes sure the cache has blocks for positions [0, positions); false, taking nothing, when the shared pool has
     * too few free. The forward calls reserve what they need themselves; a scheduler reserves first to decide.
     */
    public boolean reserve(int positions) {
        return cache.reserve(positions);
    }

    /** Blocks this session's cache holds (shared with others or not). */
    public int blocks() {
        return cache.blocks;
    }

    /** The ids of the pool blocks holding positions [0, blocks() * blockSize), in order. */
    public int[] blockIds() {
        return cache.blockIds();
    }

    /**
     * Starts an empty session from {@code count} full blocks of {@code shared} that hold the given
     * {@code count * blockSize} tokens' keys and values (a cached prefix); they are shared, not copied.
     */
    public void adoptPrefix(int[] shared, int count) {
        if (position != 0) throw new IllegalStateException("adoptPrefix on a session at position " + position);
        cache.adopt(shared, count);
        position = count * cache.pool.blockSize;
        known = 0; // the adopted rows' tokens are the other sequence's business
    }

    /**
     * Makes this session continue from the first {@code n} positions of {@code source} (copying their keys and
     * values), so N continuations of one prompt compute the prompt once. Both must run the same model.
     */
    public void copyPrefixFrom(Session source, int n) {
        if (source.model != model) throw new IllegalArgumentException("sessions of different models");
        if (n < 0 || n > source.position || n > cache.capacity) {
            throw new IllegalArgumentException("cannot copy " + n + " positions (source at " + source.position
                    + ", capacity " + cache.capacity + ")");
        }
        if (paged) cache.truncate(0); // never write into blocks others may share
        cache.copyFrom(source.cache, n);
        position = n;
        known = Math.min(source.known, n);
        remember(source.history, 0, known, 0);
    }

    /**
     * Saves the keys and values of positions [0, tokens.length) with their tokens to {@code file} (atomically: a
     * temporary file beside it, then a rename), for {@link #restore} in a later run. {@code tokens} must be what this
     * session computed at those positions; {@code fingerprint} names the model and anything else that shaped them.
     */
    public void save(java.nio.file.Path file, int[] tokens, ModelFingerprint fingerprint) {
        if (tokens.length == 0 || tokens.length > position) {
            throw new IllegalArgumentException("cannot save " + tokens.length + " tokens of a session at position " + position);
        }
        if (evicted > 0) {
            throw new SessionFileException(SessionFileException.Reason.EVICTED, "the context policy evicted " + evicted + " tokens, so the cache no longer holds this prompt's prefix");
        }
        SessionFile.write(file, cache, tokens, fingerprint);
    }

    /**
     * Starts this empty session from a file {@link #save} wrote: the keys and values of the longest common prefix of
     * its tokens and {@code prompt}, leaving at least the prompt's last token to compute (its logits are needed).
     * Returns how many positions were restored (the caller prefills the rest of the prompt from there). A file that is
     * not a session, is damaged, or was saved for another model or cache type throws {@link SessionFileException} and
     * leaves the session empty, so recomputing from scratch is always the fallback.
     */
    public SessionFile.Restored restore(java.nio.file.Path file, int[] prompt, ModelFingerprint fingerprint) {
        if (position != 0) throw new IllegalStateException("restore into a session at position " + position);
        int limit = Math.min(prompt.length - 1, cache.capacity);
        if (limit > 0 && !cache.reserve(limit)) throw new LoupeException("the KV cache pool is full");
        try {
            SessionFile.Restored r = SessionFile.read(file, cache, prompt, Math.max(0, limit), fingerprint);
            position = r.positions();
            remember(prompt, 0, position, 0);
            known = position;
            if (paged) cache.truncate(position);
            return r;
        } catch (RuntimeException e) {
            if (paged) cache.truncate(0);
            throw e;
        }
    }

    /**
     * For benchmarks at depth only: brings this empty session to {@code positions} positions without computing most of
     * them. {@code real} tokens are computed as usual; the keys and values of the positions after them are Gaussian
     * noise with the standard deviation each layer's real keys and values have, stored as the cache stores. Attention
     * costs the same whatever the values are, so speed measured after this is speed at that depth; the text the session
     * would produce is meaningless.
     */
    public void fillSynthetic(int[] real, int positions, long seed) {
        if (position != 0) throw new IllegalStateException("fillSynthetic on a session at position " + position);
        if (real.length == 0 || real.length > positions) throw new IllegalArgumentException(real.length + " real tokens for " + positions + " positions");
        prefill(real);
        if (!cache.reserve(positions)) throw new LoupeException("the KV cache pool is full");
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int l = 0; l < c.layers(); l++) {
            for (boolean values : new boolean[]{false, true}) {
                double sigma = KvRows.rms(cache, l, values, 0, real.length);
                KvRows.fillGaussian(cache, l, values, real.length, positions, sigma, random);
            }
        }
        position = positions;
        known = real.length; // the noise has no tokens to recompute it from
    }

    /**
     * Runs one token at the current position and advances. Returns the logits (a buffer reused by the next
     * call) when {@code wantLogits}, else null, skipping the output projection.
     */
    public float[] forward(int token, boolean wantLogits) {
        one[0] = token;
        return run(one, 0, 1, wantLogits);
    }

    /** Runs a prompt in batches; returns the logits after its last token. */
    public float[] prefill(int[] tokens) {
        if (tokens.length == 0) throw new LoupeException("the prompt is empty");
        float[] out = null;
        for (int from = 0; from < tokens.length; from += forward.maxBatch()) {
            int n = Math.min(forward.maxBatch(), tokens.length - from);
            out = run(tokens, from, n, from + n == tokens.length);
        }
        return out;
    }

    /**
     * Runs {@code tokens} from the current position and returns the logits of every one of them,
     * [tokens.length][vocab] in a new array (for losses and interpretability, where every position counts).
     */
    public float[] prefillAll(int[] tokens) {
        if (tokens.length == 0) throw new LoupeException("the prompt is empty");
        if (position + tokens.length > cache.capacity) {
            throw new LoupeException("context is full (" + cache.capacity + " tokens); start a new session or raise the context size");
        }
        if (!cache.reserve(position + tokens.length)) throw new LoupeException("the KV cache pool is full");
        int V = c.vocabSize(), B = forward.maxBatch();
        float[] all = new float[tokens.length * V];
        int[] rows = new int[B];
        for (int i = 0; i < B; i++) rows[i] = i;
        for (int from = 0; from < tokens.length; from += B) {
            int n = Math.min(B, tokens.length - from);
            for (int i = 0; i < n; i++) positions[i] = position + i;
            float[] out = step(java.util.Arrays.copyOfRange(tokens, from, from + n), n, rows, n);
            System.arraycopy(out, 0, all, from * V, n * V);
            position += n;
        }
        return all;
    }

    /**
     * Runs {@code tokens[0..n)} from the current position in one batch (n at most {@link Forward#maxBatch}) and
     * returns the logits of every one, row-major [n][vocab], in the forward engine's buffer (valid until its next
     * step). For checking several guessed tokens with one pass over the weights (speculative decoding); what turns
     * out wrong is dropped with {@link #rewind}.
     */
    public float[] forwardAll(int[] tokens, int n) {
        if (n < 1 || n > forward.maxBatch()) throw new IllegalArgumentException("batch of " + n + "; this engine takes 1 to " + forward.maxBatch());
        if (position + n > cache.capacity) {
            throw new LoupeException("context is full (" + cache.capacity + " tokens); start a new session or raise the context size");
        }
        if (!cache.reserve(position + n)) throw new LoupeException("the KV cache pool is full");
        if (everyRow == null) {
            everyRow = new int[forward.maxBatch()];
            for (int i = 0; i < everyRow.length; i++) everyRow[i] = i;
        }
        for (int i = 0; i < n; i++) positions[i] = position + i;
        float[] out = step(tokens, n, everyRow, n);
        position += n;
        return out;
    }

    /** The forward engine this session computes with (where hooks are installed). */
    public Forward forwardEngine() {
        return forward;
    }

    /** Runs tokens[from, from + n) (n at most a batch), in smaller pieces when the policy frees less room at a time. */
    private float[] run(int[] tokens, int from, int n, boolean wantLogits) {
        float[] out = null;
        while (n > 0) {
            int m = makeRoom(n);
            out = runBatch(tokens, from, m, wantLogits && m == n);
            from += m;
            n -= m;
        }
        return out;
    }

    private float[] runBatch(int[] tokens, int from, int n, boolean wantLogits) {
        if (!cache.reserve(position + n)) throw new LoupeException("the KV cache pool is full");
        int[] batch = from == 0 && n == tokens.length ? tokens : java.util.Arrays.copyOfRange(tokens, from, from + n);
        for (int i = 0; i < n; i++) positions[i] = position + i;
        logitRow[0] = n - 1;
        float[] out = step(batch, n, logitRow, wantLogits ? 1 : 0);
        position += n;
        if (!wantLogits) return null;
        System.arraycopy(out, 0, logits, 0, c.vocabSize());
        return logits;
    }

    /**
     * Runs {@code tokens[0..n)} at {@link #positions} (set by the caller from {@link #position}) and records them. When
     * offloaded rows fail their check, recomputes the cache from the recorded tokens and runs the batch again: a
     * damaged offload file costs time, never a wrong logit.
     */
    private float[] step(int[] tokens, int n, int[] rows, int count) {
        float[] out;
        KvOffloadException damage = null;
        for (int failures = 0; ; ) {
            try {
                if (damage != null) recompute(damage);
                for (int i = 0; i < n; i++) positions[i] = position + i;
                out = forward.step(caches, positions, tokens, n, rows, count);
                break;
            } catch (KvOffloadException e) {
                if (known < position) {
                    throw new LoupeException(e.getMessage() + "; this session's rows cannot be recomputed (they were not computed from tokens here)");
                }
                // Each failure marks the damaged slices for rewriting, so every retry gets further; damage spread over
                // many layers may take one recomputation per layer.
                if (++failures > c.layers() + 1) throw new LoupeException(e.getMessage() + "; still failing after " + (failures - 1) + " recomputations");
                damage = e;
            }
        }
        if (known == position) {
            remember(tokens, 0, n, position);
            known = position + n;
        }
        return out;
    }

    /** Runs positions [0, position) again from their tokens, rewriting every row of the cache. */
    private void recompute(KvOffloadException cause) {
        recomputations++;
        warnings.accept("warning: " + cause.getMessage() + "; recomputing the " + position + " positions before it");
        int B = forward.maxBatch();
        for (int from = 0; from < position; from += B) {
            int m = Math.min(B, position - from);
            for (int i = 0; i < m; i++) positions[i] = from + i;
            forward.step(caches, positions, java.util.Arrays.copyOfRange(history, from, from + m), m, logitRow, 0);
        }
    }

    private void remember(int[] tokens, int from, int n, int at) {
        if (at + n > history.length) history = java.util.Arrays.copyOf(history, Math.max(at + n, Math.min(2 * history.length, cache.capacity)));
        System.arraycopy(tokens, from, history, at, n);
    }

    /** How often a damaged offload file made this session recompute its cache. */
    public int recomputations() {
        return recomputations;
    }

    /** Where warnings go (a recomputation after a damaged offload file); standard error by default. */
    public void onWarning(java.util.function.Consumer<String> sink) {
        this.warnings = sink;
    }

    /** The types this session's cache stores keys and values as. */
    public KvFormat kvFormat() {
        return cache.pool.format();
    }

    /** Frees the cache's memory, unless it is a shared pool's (its owner closes that), and an owned thread pool. */
    @Override
    public void close() {
        if (!paged) cache.pool.close();
        if (ownedPool != null) ownedPool.close();
    }
}
