package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
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
    private final KvCache[] caches;
    private final int[] positions;
    private final int[] logitRow = new int[1];
    private final int[] one = new int[1];
    private final float[] logits;
    private int position;

    /** A session with its own forward engine on {@code pool} (or a new pool of all cores when null). */
    public Session(Model model, int contextLength, ThreadPool pool) {
        this(model, contextLength, pool, null);
    }

    /** A session computing with a shared {@code forward} engine. */
    public Session(Model model, int contextLength, Forward forward) {
        this(model, contextLength, null, forward);
    }

    private Session(Model model, int contextLength, ThreadPool pool, Forward shared) {
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
        this.cache = new KvCache(c, contextLength);
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

    /** The cache this session writes; for batching several sessions in one {@link Forward#step}. */
    KvCache cache() {
        return cache;
    }

    void advance(int n) {
        position += n;
    }

    /** Forgets everything after position {@code pos} (keeps the cache prefix [0, pos)). */
    public void rewind(int pos) {
        if (pos < 0 || pos > position) throw new IllegalArgumentException("cannot rewind to " + pos + " from " + position);
        position = pos;
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
        int kv = c.kvDim(), vd = c.vDim();
        for (int l = 0; l < c.layers(); l++) {
            System.arraycopy(source.cache.keys[l], 0, cache.keys[l], 0, n * kv);
            System.arraycopy(source.cache.values[l], 0, cache.values[l], 0, n * vd);
        }
        position = n;
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
        int V = c.vocabSize(), B = forward.maxBatch();
        float[] all = new float[tokens.length * V];
        int[] rows = new int[B];
        for (int i = 0; i < B; i++) rows[i] = i;
        for (int from = 0; from < tokens.length; from += B) {
            int n = Math.min(B, tokens.length - from);
            for (int i = 0; i < n; i++) positions[i] = position + i;
            float[] out = forward.step(caches, positions, java.util.Arrays.copyOfRange(tokens, from, from + n), n, rows, n);
            System.arraycopy(out, 0, all, from * V, n * V);
            position += n;
        }
        return all;
    }

    /** The forward engine this session computes with (where hooks are installed). */
    public Forward forwardEngine() {
        return forward;
    }

    private float[] run(int[] tokens, int from, int n, boolean wantLogits) {
        if (position + n > cache.capacity) {
            throw new LoupeException("context is full (" + cache.capacity + " tokens); start a new session or raise the context size");
        }
        int[] batch = from == 0 && n == tokens.length ? tokens : java.util.Arrays.copyOfRange(tokens, from, from + n);
        for (int i = 0; i < n; i++) positions[i] = position + i;
        logitRow[0] = n - 1;
        float[] out = forward.step(caches, positions, batch, n, logitRow, wantLogits ? 1 : 0);
        position += n;
        if (!wantLogits) return null;
        System.arraycopy(out, 0, logits, 0, c.vocabSize());
        return logits;
    }

    @Override
    public void close() {
        if (ownedPool != null) ownedPool.close();
    }
}
