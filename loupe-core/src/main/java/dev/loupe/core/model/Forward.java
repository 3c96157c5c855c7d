package dev.loupe.core.model;

import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.lora.LoraSet;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * The transformer, run on a batch of tokens at once. A batch row is (cache, position, token): rows may
 * belong to one sequence (prefill) or to many (batched decoding); every weight matrix is read once per
 * batch. Reads top to bottom like the paper; kernels sit behind small named calls.
 * Not thread-safe: one caller at a time. Scratch is sized once for {@code maxBatch} rows.
 */
public final class Forward {
    /** Whether this engine has waited for the kernel warm-up once (see {@link KernelWarmup#await}). */
    private boolean warmedUp;
    private final ModelConfig c;
    private final Weights w;
    private final ThreadPool pool;
    private final int maxBatch;
    private final MatMul matmul;
    private final Rope rope;
    private final Activation activation;
    /** Elements per pool index of the gated activation: an exp each, ~1% of a decoded token when the calling thread did it alone. */
    private static final int GATED_UNIT = 512;
    private final RangeTask gatedTask;
    private int gatedCount;
    private final Attention attention;
    /** Per-row scratch, grown to the most rows a step has run so far (see {@link #ensureRows}). */
    private float[] x, xb, q, k, v, attnOut, proj, gate, up, last;
    private int rows;
    private float[] logits = new float[0];
    private final KvCache[] decodeCaches;
    /** Scratch: the distinct pools of one step's rows. */
    private final KvPool[] stepPools;
    private final int[] decodePositions;
    private final int[] decodeRows;
    private final LoraSet lora;
    private final float[] loraScratch;
    private final int[] logitPositions;
    private float[] pattern = new float[0];
    /** Installed hooks, or null: the forward pass checks this once per hook site per layer. */
    private Hooks hooks;

    public Forward(Model model, ThreadPool pool, int maxBatch, int maxContext) {
        this.c = model.config();
        this.w = model.weights();
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.matmul = new MatMul(pool);
        this.rope = new Rope(c, w.ropeFreqs());
        this.activation = c.arch().activation();
        this.gatedTask = (from, to) -> gated(activation, gate, up, from * GATED_UNIT, Math.min(gatedCount, to * GATED_UNIT));
        this.attention = new Attention(c, maxBatch, maxContext);
        int B = maxBatch;
        ensureRows(1);
        this.decodeCaches = new KvCache[B];
        this.stepPools = new KvPool[B];
        this.decodePositions = new int[B];
        this.decodeRows = new int[B];
        this.logitPositions = new int[B];
        this.lora = model.lora();
        this.loraScratch = new float[lora.scratchSize()];
    }

    /**
     * Grows the per-row scratch to hold {@code n} rows (at most {@link #maxBatch}). Sized on demand rather than for a
     * full batch up front: at a 128-row batch the 1B shape's scratch is ~16 MB, which a decode-only session never uses.
     * Every step overwrites the rows it reads, so nothing is carried over.
     */
    private void ensureRows(int n) {
        if (n <= rows) return;
        int B = Math.min(maxBatch, Math.max(n, 2 * rows));
        this.x = new float[B * c.dim()];
        this.xb = new float[B * Math.max(c.dim(), c.heads() * c.valueDim())];
        this.q = new float[B * c.qDim()];
        this.k = new float[B * c.kvDim()];
        this.v = new float[B * c.vDim()];
        this.attnOut = new float[B * c.heads() * c.valueDim()];
        this.proj = new float[B * c.dim()];
        this.gate = new float[B * c.ffnDim()];
        this.up = new float[B * c.ffnDim()];
        this.last = new float[B * c.dim()];
        rows = B;
    }

    /** Installs hooks (see {@link dev.loupe.core.hook}) for every following step; null removes them. */
    public void setHooks(Hooks hooks) {
        if (hooks != null && hooks.layers() != c.layers()) {
            throw new IllegalArgumentException("hooks for " + hooks.layers() + " layers on a model with " + c.layers());
        }
        this.hooks = hooks;
    }

    public Hooks hooks() {
        return hooks;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public ModelConfig config() {
        return c;
    }

    /** The distinct pools of {@code caches[0..n)}, into {@link #stepPools} (a batch is usually one pool, or a few). */
    private int distinctPools(KvCache[] caches, int n) {
        int count = 0;
        outer:
        for (int b = 0; b < n; b++) {
            KvPool p = caches[b].pool;
            for (int i = 0; i < count; i++) if (stepPools[i] == p) continue outer;
            stepPools[count++] = p;
        }
        return count;
    }

    /**
     * Runs {@code n} rows: row b is token {@code tokens[b]} at {@code positions[b]} of the sequence whose cache is
     * {@code caches[b]}. Rows of one sequence must come in position order; their K/V are all written before any
     * row attends, so row b sees every position up to its own. Returns the logits buffer, holding
     * {@code logitCount} rows of vocabulary size: the logits of the first {@code logitCount} rows listed in {@code logitRows}
     * (reused by the next call).
     */
    public float[] step(KvCache[] caches, int[] positions, int[] tokens, int n, int[] logitRows, int logitCount) {
        if (!warmedUp) {
            KernelWarmup.await();
            warmedUp = true;
        }
        ensureRows(n);
        int dim = c.dim();
        for (int b = 0; b < n; b++) {
            if (tokens[b] < 0 || tokens[b] >= c.vocabSize()) {
                throw new dev.loupe.core.LoupeException("token id " + tokens[b] + " is outside the vocabulary (size " + c.vocabSize() + ")");
            }
        }
        for (int b = 0; b < n; b++) {
            w.tokenEmbedding().dequantizeRow(tokens[b], x, b * dim);
        }
        if (c.arch().scaleEmbeddings()) {
            scale(x, n * dim, (float) Math.sqrt(dim));
        }
        Hooks hk = hooks;
        if (hk != null) hk.fire(HookSite.EMBED, -1, x, n, dim, 1, positions);
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights L = w.layers()[l];
            if (hk != null) hk.fire(HookSite.RESID_PRE, l, x, n, dim, 1, positions);

            // Attention block.
            rmsnormRows(xb, x, L.attnNorm(), n, dim);
            if (hk != null) hk.fire(HookSite.LN1, l, xb, n, dim, 1, positions);
            matmul.apply(xb, n, L.wq(), q, L.wk(), k, L.wv(), v);
            lora(l, LoraTarget.ATTN_Q, xb, n, q);
            lora(l, LoraTarget.ATTN_K, xb, n, k);
            lora(l, LoraTarget.ATTN_V, xb, n, v);
            for (int b = 0; b < n; b++) {
                addBias(q, b * c.qDim(), L.bq());
                addBias(k, b * c.kvDim(), L.bk());
                addBias(v, b * c.vDim(), L.bv());
                if (L.qNorm() != null) {
                    for (int h = 0; h < c.heads(); h++) normHead(q, b * c.qDim() + h * c.headDim(), L.qNorm());
                    for (int h = 0; h < c.kvHeads(); h++) normHead(k, b * c.kvDim() + h * c.headDim(), L.kNorm());
                }
            }
            if (hk != null) {
                hk.fire(HookSite.ATTN_Q, l, q, n, c.qDim(), c.heads(), positions);
                hk.fire(HookSite.ATTN_K, l, k, n, c.kvDim(), c.kvHeads(), positions);
                hk.fire(HookSite.ATTN_V, l, v, n, c.vDim(), c.kvHeads(), positions);
            }
            for (int b = 0; b < n; b++) {
                rope.setPosition(positions[b]);
                rope.apply(q, b * c.qDim(), c.heads(), c.headDim());
                rope.apply(k, b * c.kvDim(), c.kvHeads(), c.headDim());
            }
            if (hk != null) {
                hk.fire(HookSite.ATTN_ROT_Q, l, q, n, c.qDim(), c.heads(), positions);
                hk.fire(HookSite.ATTN_ROT_K, l, k, n, c.kvDim(), c.kvHeads(), positions);
            }
            int pools = distinctPools(caches, n);
            for (int i = 0; i < pools; i++) stepPools[i].beginLayer(l); // an offloaded cache has this layer ready
            for (int b = 0; b < n; b++) {
                // Stored as the cache's types (rounded to F16 by default), as llama.cpp's set_rows does.
                int row = caches[b].row(positions[b]);
                caches[b].pool.writeKey(l, row, k, b * c.kvDim());
                caches[b].pool.writeValue(l, row, v, b * c.vDim());
            }
            if (hk != null && hk.has(HookSite.ATTN_PATTERN, l)) {
                attendWithPatternHook(hk, l, caches, positions, n);
            } else {
                attention.run(pool, l, q, attnOut, caches, positions, n);
            }
            for (int i = 0; i < pools; i++) stepPools[i].endLayer(l);
            if (hk != null) hk.fire(HookSite.ATTN_Z, l, attnOut, n, c.heads() * c.valueDim(), c.heads(), positions);
            matmul.apply(L.wo(), attnOut, n, proj);
            lora(l, LoraTarget.ATTN_OUTPUT, attnOut, n, proj);
            if (L.postAttnNorm() != null) rmsnormRows(proj, proj, L.postAttnNorm(), n, dim);
            if (hk != null) hk.fire(HookSite.ATTN_OUT, l, proj, n, dim, 1, positions);
            Ops.add(x, proj, n * dim);
            if (hk != null) hk.fire(HookSite.RESID_MID, l, x, n, dim, 1, positions);

            // Feed-forward block: down(act(gate(x)) * up(x)).
            rmsnormRows(xb, x, L.ffnNorm(), n, dim);
            if (hk != null) hk.fire(HookSite.LN2, l, xb, n, dim, 1, positions);
            matmul.apply(xb, n, L.gate(), gate, L.up(), up, null, null);
            lora(l, LoraTarget.FFN_GATE, xb, n, gate);
            lora(l, LoraTarget.FFN_UP, xb, n, up);
            if (hk != null) {
                hk.fire(HookSite.MLP_PRE, l, gate, n, c.ffnDim(), 1, positions);
                hk.fire(HookSite.MLP_PRE_LINEAR, l, up, n, c.ffnDim(), 1, positions);
            }
            gatedCount = n * c.ffnDim();
            pool.run(gatedTask, (gatedCount + GATED_UNIT - 1) / GATED_UNIT);
            if (hk != null) hk.fire(HookSite.MLP_POST, l, gate, n, c.ffnDim(), 1, positions);
            matmul.apply(L.down(), gate, n, proj);
            lora(l, LoraTarget.FFN_DOWN, gate, n, proj);
            if (L.postFfnNorm() != null) rmsnormRows(proj, proj, L.postFfnNorm(), n, dim);
            if (hk != null) hk.fire(HookSite.MLP_OUT, l, proj, n, dim, 1, positions);
            Ops.add(x, proj, n * dim);
            if (hk != null) hk.fire(HookSite.RESID_POST, l, x, n, dim, 1, positions);
        }
        if (logitCount == 0) return logits;
        // Sized by the most rows ever asked for: decoding asks one per sequence, prefill one in all.
        if (logits.length < logitCount * c.vocabSize()) logits = new float[logitCount * c.vocabSize()];
        // Only the rows that need logits pay for the output projection (the largest matrix).
        for (int i = 0; i < logitCount; i++) {
            Ops.rmsnorm(last, i * dim, x, logitRows[i] * dim, w.outputNorm(), dim, c.normEps());
        }
        if (hk != null) {
            for (int i = 0; i < logitCount; i++) logitPositions[i] = positions[logitRows[i]];
            hk.fire(HookSite.LN_FINAL, -1, last, logitCount, dim, 1, logitPositions);
        }
        project(logitCount, logits);
        if (hk != null) hk.fire(HookSite.LOGITS, -1, logits, logitCount, c.vocabSize(), 1, logitPositions);
        return logits;
    }

    /** logits = softcap(output · last) for the first {@code rows} rows of {@code last}. */
    private void project(int rows, float[] out) {
        matmul.apply(w.output(), last, rows, out);
        if (c.finalSoftcap() > 0) Ops.softcap(out, 0, rows * c.vocabSize(), c.finalSoftcap());
    }

    /**
     * The model's own head applied to residual-stream rows: final RMSNorm, output projection and soft-capping, exactly
     * as {@link #step} computes logits from the last layer's output (the logit lens). {@code resid} holds {@code rows}
     * rows of d_model; returns a new array of {@code rows} rows of vocabulary size. Uses this engine's scratch, so not
     * during a step.
     */
    public float[] unembed(float[] resid, int rows) {
        int dim = c.dim(), V = c.vocabSize();
        float[] out = new float[rows * V];
        float[] chunk = new float[Math.min(rows, maxBatch) * V];
        ensureRows(Math.min(rows, maxBatch));
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            for (int i = 0; i < m; i++) Ops.rmsnorm(last, i * dim, resid, (from + i) * dim, w.outputNorm(), dim, c.normEps());
            project(m, chunk);
            System.arraycopy(chunk, 0, out, from * V, m * V);
        }
        return out;
    }

    /**
     * Attention in two passes so the pattern hook sees (and may rewrite) the probabilities before they weight the
     * values: [row][head][key position], width = the longest row's key count.
     */
    private void attendWithPatternHook(Hooks hk, int l, KvCache[] caches, int[] positions, int n) {
        int keys = 0;
        for (int b = 0; b < n; b++) keys = Math.max(keys, positions[b] + 1);
        int size = n * c.heads() * keys;
        if (pattern.length < size) pattern = new float[size];
        attention.probabilities(pool, l, q, pattern, keys, caches, positions, n);
        hk.fire(HookSite.ATTN_PATTERN, l, pattern, n, c.heads() * keys, c.heads(), positions);
        attention.weightedValues(pool, l, pattern, keys, attnOut, caches, positions, n);
    }

    /**
     * One decoding step for {@code n} sequences at once (continuous batching): session i takes token
     * {@code tokens[i]} at its current position and advances. Returns logits, row i for session i, valid
     * until the next call. All sessions must have been created on this engine's model.
     */
    public float[] decode(Session[] sessions, int[] tokens, int n) {
        if (n > maxBatch) throw new IllegalArgumentException("batch of " + n + " exceeds this engine's " + maxBatch);
        for (int i = 0; i < n; i++) {
            Session s = sessions[i];
            if (s.position() >= s.contextLength()) {
                throw new dev.loupe.core.LoupeException("context is full (" + s.contextLength() + " tokens)");
            }
            if (!s.reserve(s.position() + 1)) throw new dev.loupe.core.LoupeException("the KV cache pool is full");
            decodeCaches[i] = s.cache();
            decodePositions[i] = s.position();
            decodeRows[i] = i;
        }
        float[] out = step(decodeCaches, decodePositions, tokens, n, decodeRows, n);
        for (int i = 0; i < n; i++) sessions[i].advance(1);
        return out;
    }

    /**
     * Prefills several sessions in one pass over the weights (continuous batching): session i takes the tokens
     * {@code chunks[i]} from its current position and advances past them. At most {@link #maxBatch} rows in all.
     * Returns logits, row i for the last token of session i's chunk, valid until the next call.
     */
    public float[] prefill(Session[] sessions, int[][] chunks, int n) {
        int rows = 0;
        for (int i = 0; i < n; i++) rows += chunks[i].length;
        if (rows > maxBatch) throw new IllegalArgumentException("prefill of " + rows + " rows exceeds this engine's " + maxBatch);
        KvCache[] caches = new KvCache[rows];
        int[] positions = new int[rows];
        int[] tokens = new int[rows];
        int[] logitRows = new int[n];
        int r = 0;
        for (int i = 0; i < n; i++) {
            Session s = sessions[i];
            if (chunks[i].length == 0) throw new IllegalArgumentException("empty prefill chunk for session " + i);
            if (s.position() + chunks[i].length > s.contextLength()) {
                throw new dev.loupe.core.LoupeException("context is full (" + s.contextLength() + " tokens)");
            }
            if (!s.reserve(s.position() + chunks[i].length)) throw new dev.loupe.core.LoupeException("the KV cache pool is full");
            for (int j = 0; j < chunks[i].length; j++, r++) {
                caches[r] = s.cache();
                positions[r] = s.position() + j;
                tokens[r] = chunks[i][j];
            }
            logitRows[i] = r - 1;
        }
        float[] out = step(caches, positions, tokens, rows, logitRows, n);
        for (int i = 0; i < n; i++) sessions[i].advance(chunks[i].length);
        return out;
    }

    /**
     * Feeds {@code tokens} to {@code session} from its position (at most {@link #maxBatch} of them) and returns their
     * final hidden states after the output norm, row r for token r: what the output projection would read, and
     * what embeddings pool. Skips the output projection, so it costs no more than a prefill without logits.
     */
    public float[] hiddenStates(Session session, int[] tokens) {
        int n = tokens.length;
        if (n == 0 || n > maxBatch) throw new IllegalArgumentException("hidden states of " + n + " rows; this engine takes 1 to " + maxBatch);
        if (session.position() + n > session.contextLength()) {
            throw new dev.loupe.core.LoupeException("context is full (" + session.contextLength() + " tokens)");
        }
        if (!session.reserve(session.position() + n)) throw new dev.loupe.core.LoupeException("the KV cache pool is full");
        KvCache[] caches = new KvCache[n];
        int[] positions = new int[n];
        for (int r = 0; r < n; r++) {
            caches[r] = session.cache();
            positions[r] = session.position() + r;
        }
        step(caches, positions, tokens, n, decodeRows, 0);
        session.advance(n);
        int dim = c.dim();
        float[] out = new float[n * dim];
        rmsnormRows(out, x, w.outputNorm(), n, dim);
        return out;
    }

    /** Adds the LoRA adapters' delta for (layer, target), if any: out += scale · B (A x). */
    private void lora(int layer, LoraTarget target, float[] in, int n, float[] out) {
        if (!lora.isEmpty()) lora.apply(layer, target, in, n, out, loraScratch);
    }

    // Element loops live in methods of their own: inside step, their ~10^5 iterations per token made C2 compile the
    // whole of step on stack replacement (and again after a deoptimization), ~0.4 s of compiler time each before a
    // cold first token (JFR jdk.Compilation); with the loops out, C2's CPU before the first token fell 3.1 -> 2.2-2.4 s.

    /** gate[i] = act(gate[i]) · up[i] for i in [from, to). */
    private static void gated(Activation act, float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) gate[i] = act.apply(gate[i]) * up[i];
    }

    private static void scale(float[] a, int count, float s) {
        for (int i = 0; i < count; i++) a[i] *= s;
    }

    private void rmsnormRows(float[] dst, float[] src, float[] weight, int n, int dim) {
        for (int b = 0; b < n; b++) Ops.rmsnorm(dst, b * dim, src, b * dim, weight, dim, c.normEps());
    }

    private void normHead(float[] a, int off, float[] weight) {
        Ops.rmsnorm(a, off, a, off, weight, c.headDim(), c.normEps());
    }

    private static void addBias(float[] a, int off, float[] bias) {
        if (bias == null) return;
        for (int i = 0; i < bias.length; i++) a[off + i] += bias[i];
    }
}
