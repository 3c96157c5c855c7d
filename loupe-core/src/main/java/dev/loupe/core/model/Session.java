package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * One sequence being run through a model: its KV cache, its position and its scratch buffers.
 * {@link #forward} is the whole transformer for one token and reads top to bottom like the paper;
 * kernels sit behind small named calls. Not thread-safe: one session, one caller.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final ModelConfig c;
    private final Weights w;
    private final ThreadPool pool;
    private final boolean ownsPool;
    private final MatVec matvec;
    private final Rope rope;
    private final KvCache cache;
    private final Attention attention;
    private int position;

    // Scratch, sized once: the hot loop allocates nothing.
    private final float[] x, xb, q, k, v, attnOut, proj, gate, up, logits;

    public Session(Model model, int contextLength, ThreadPool pool) {
        this.model = model;
        this.c = model.config();
        this.w = model.weights();
        if (contextLength <= 0) throw new LoupeException("context length must be positive");
        this.pool = pool != null ? pool : new ThreadPool(ThreadPool.defaultThreads());
        this.ownsPool = pool == null;
        this.matvec = new MatVec(this.pool);
        this.rope = new Rope(c, w.ropeFreqs());
        this.cache = new KvCache(c, contextLength);
        this.x = new float[c.dim()];
        this.xb = new float[Math.max(c.dim(), c.heads() * c.valueDim())];
        this.q = new float[c.qDim()];
        this.k = new float[c.kvDim()];
        this.v = new float[c.vDim()];
        this.attnOut = new float[c.heads() * c.valueDim()];
        this.proj = new float[c.dim()];
        this.gate = new float[c.ffnDim()];
        this.up = new float[c.ffnDim()];
        this.logits = new float[c.vocabSize()];
        this.attention = new Attention(c, cache, q, attnOut, contextLength);
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

    /** Forgets everything after position {@code pos} (keeps the cache prefix [0, pos)). */
    public void rewind(int pos) {
        if (pos < 0 || pos > position) throw new IllegalArgumentException("cannot rewind to " + pos + " from " + position);
        position = pos;
    }

    /**
     * Runs one token at the current position and advances. Returns the logits (a buffer reused by the next
     * call) when {@code wantLogits}, else null, skipping the output projection.
     */
    public float[] forward(int token, boolean wantLogits) {
        if (position >= cache.capacity) {
            throw new LoupeException("context is full (" + cache.capacity + " tokens); start a new session or raise the context size");
        }
        if (token < 0 || token >= c.vocabSize()) throw new LoupeException("token id " + token + " is outside the vocabulary (size " + c.vocabSize() + ")");
        int pos = position;
        w.tokenEmbedding().dequantizeRow(token, x, 0);
        if (c.arch().scaleEmbeddings()) {
            float s = (float) Math.sqrt(c.dim());
            for (int i = 0; i < c.dim(); i++) x[i] *= s;
        }
        rope.setPosition(pos);
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights L = w.layers()[l];

            // Attention block.
            Ops.rmsnorm(xb, 0, x, 0, L.attnNorm(), c.dim(), c.normEps());
            matvec.apply(L.wq(), xb, q);
            matvec.apply(L.wk(), xb, k);
            matvec.apply(L.wv(), xb, v);
            Ops.addBias(q, L.bq());
            Ops.addBias(k, L.bk());
            Ops.addBias(v, L.bv());
            if (L.qNorm() != null) {
                for (int h = 0; h < c.heads(); h++) Ops.rmsnorm(q, h * c.headDim(), q, h * c.headDim(), L.qNorm(), c.headDim(), c.normEps());
                for (int h = 0; h < c.kvHeads(); h++) Ops.rmsnorm(k, h * c.headDim(), k, h * c.headDim(), L.kNorm(), c.headDim(), c.normEps());
            }
            rope.apply(q, c.heads(), c.headDim());
            rope.apply(k, c.kvHeads(), c.headDim());
            Ops.roundToHalf(k, 0, c.kvDim());
            Ops.roundToHalf(v, 0, c.vDim());
            System.arraycopy(k, 0, cache.keys[l], pos * c.kvDim(), c.kvDim());
            System.arraycopy(v, 0, cache.values[l], pos * c.vDim(), c.vDim());
            attention.run(pool, l, pos);
            matvec.apply(L.wo(), attnOut, proj);
            if (L.postAttnNorm() != null) Ops.rmsnorm(proj, 0, proj, 0, L.postAttnNorm(), c.dim(), c.normEps());
            Ops.add(x, proj, c.dim());

            // Feed-forward block: down(act(gate(x)) * up(x)).
            Ops.rmsnorm(xb, 0, x, 0, L.ffnNorm(), c.dim(), c.normEps());
            matvec.apply(L.gate(), xb, gate);
            matvec.apply(L.up(), xb, up);
            for (int i = 0; i < c.ffnDim(); i++) gate[i] = c.arch().activation().apply(gate[i]) * up[i];
            matvec.apply(L.down(), gate, proj);
            if (L.postFfnNorm() != null) Ops.rmsnorm(proj, 0, proj, 0, L.postFfnNorm(), c.dim(), c.normEps());
            Ops.add(x, proj, c.dim());
        }
        position++;
        if (!wantLogits) return null;
        Ops.rmsnorm(xb, 0, x, 0, w.outputNorm(), c.dim(), c.normEps());
        matvec.apply(w.output(), xb, logits);
        if (c.finalSoftcap() > 0) Ops.softcap(logits, 0, c.vocabSize(), c.finalSoftcap());
        return logits;
    }

    /** Runs a prompt; returns the logits after its last token. */
    public float[] prefill(int[] tokens) {
        float[] out = null;
        for (int i = 0; i < tokens.length; i++) out = forward(tokens[i], i == tokens.length - 1);
        return out;
    }

    @Override
    public void close() {
        if (ownsPool) pool.close();
    }

    /** Causal multi-head attention of the current query against the cache, heads split across threads. */
    private static final class Attention implements RangeTask {
        private final ModelConfig c;
        private final KvCache cache;
        private final float[] q;
        private final float[] out;
        private final float[][] scores;
        private final float[][] qHalf;
        private int layer;
        private int pos;

        Attention(ModelConfig c, KvCache cache, float[] q, float[] out, int ctx) {
            this.c = c;
            this.cache = cache;
            this.q = q;
            this.out = out;
            this.scores = new float[c.heads()][ctx];
            this.qHalf = new float[c.heads()][c.headDim()];
        }

        void run(ThreadPool pool, int layer, int pos) {
            this.layer = layer;
            this.pos = pos;
            pool.run(this, c.heads());
        }

        @Override
        public void run(int from, int to) {
            int hd = c.headDim(), vd = c.valueDim(), kvDim = c.kvDim(), vDim = c.vDim();
            int group = c.heads() / c.kvHeads();
            float[] keys = cache.keys[layer], values = cache.values[layer];
            int start = c.isSlidingLayer(layer) ? Math.max(0, pos - c.slidingWindow() + 1) : 0;
            for (int h = from; h < to; h++) {
                int kvh = h / group;
                float[] s = scores[h];
                float[] qh = qHalf[h];
                // llama.cpp multiplies Q (as F16) by the F16 keys.
                System.arraycopy(q, h * hd, qh, 0, hd);
                Ops.roundToHalf(qh, 0, hd);
                for (int t = start; t <= pos; t++) {
                    s[t - start] = Ops.dot(qh, 0, keys, t * kvDim + kvh * hd, hd) * c.attnScale();
                }
                int n = pos - start + 1;
                if (c.attnSoftcap() > 0) Ops.softcap(s, 0, n, c.attnSoftcap());
                Ops.softmax(s, 0, n);
                Ops.roundToHalf(s, 0, n);
                int o = h * vd;
                for (int i = 0; i < vd; i++) out[o + i] = 0;
                for (int t = start; t <= pos; t++) {
                    float p = s[t - start];
                    int vo = t * vDim + kvh * vd;
                    for (int i = 0; i < vd; i++) out[o + i] += p * values[vo + i];
                }
            }
        }
    }
}
