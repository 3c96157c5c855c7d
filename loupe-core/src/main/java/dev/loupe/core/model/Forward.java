package dev.loupe.core.model;

import dev.loupe.core.lora.LoraSet;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.ThreadPool;

/**
 * The transformer, run on a batch of tokens at once. A batch row is (cache, position, token): rows may
 * belong to one sequence (prefill) or to many (batched decoding); every weight matrix is read once per
 * batch. Reads top to bottom like the paper; kernels sit behind small named calls.
 * Not thread-safe: one caller at a time. Scratch is sized once for {@code maxBatch} rows.
 */
public final class Forward {
    private final ModelConfig c;
    private final Weights w;
    private final ThreadPool pool;
    private final int maxBatch;
    private final MatMul matmul;
    private final Rope rope;
    private final Attention attention;
    private final float[] x, xb, q, k, v, attnOut, proj, gate, up, last;
    private float[] logits = new float[0];
    private final KvCache[] decodeCaches;
    private final int[] decodePositions;
    private final int[] decodeRows;
    private final LoraSet lora;
    private final float[] loraScratch;

    public Forward(Model model, ThreadPool pool, int maxBatch, int maxContext) {
        this.c = model.config();
        this.w = model.weights();
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.matmul = new MatMul(pool);
        this.rope = new Rope(c, w.ropeFreqs());
        this.attention = new Attention(c, maxBatch, maxContext);
        int B = maxBatch;
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
        this.decodeCaches = new KvCache[B];
        this.decodePositions = new int[B];
        this.decodeRows = new int[B];
        this.lora = model.lora();
        this.loraScratch = new float[lora.scratchSize()];
    }

    public int maxBatch() {
        return maxBatch;
    }

    public ModelConfig config() {
        return c;
    }

    /**
     * Runs {@code n} rows: row b is token {@code tokens[b]} at {@code positions[b]} of the sequence whose cache is
     * {@code caches[b]}. Rows of one sequence must come in position order; their K/V are all written before any
     * row attends, so row b sees every position up to its own. Returns the logits buffer, holding
     * {@code logitCount} rows of vocabulary size: the logits of the first {@code logitCount} rows listed in {@code logitRows}
     * (reused by the next call).
     */
    public float[] step(KvCache[] caches, int[] positions, int[] tokens, int n, int[] logitRows, int logitCount) {
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
            float s = (float) Math.sqrt(dim);
            for (int i = 0; i < n * dim; i++) x[i] *= s;
        }
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights L = w.layers()[l];

            // Attention block.
            rmsnormRows(xb, x, L.attnNorm(), n, dim);
            matmul.apply(L.wq(), xb, n, q);
            matmul.apply(L.wk(), xb, n, k);
            matmul.apply(L.wv(), xb, n, v);
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
                rope.setPosition(positions[b]);
                rope.apply(q, b * c.qDim(), c.heads(), c.headDim());
                rope.apply(k, b * c.kvDim(), c.kvHeads(), c.headDim());
                Ops.roundToHalf(k, b * c.kvDim(), c.kvDim());
                Ops.roundToHalf(v, b * c.vDim(), c.vDim());
                System.arraycopy(k, b * c.kvDim(), caches[b].keys[l], positions[b] * c.kvDim(), c.kvDim());
                System.arraycopy(v, b * c.vDim(), caches[b].values[l], positions[b] * c.vDim(), c.vDim());
            }
            attention.run(pool, l, q, attnOut, caches, positions, n);
            matmul.apply(L.wo(), attnOut, n, proj);
            lora(l, LoraTarget.ATTN_OUTPUT, attnOut, n, proj);
            if (L.postAttnNorm() != null) rmsnormRows(proj, proj, L.postAttnNorm(), n, dim);
            Ops.add(x, proj, n * dim);

            // Feed-forward block: down(act(gate(x)) * up(x)).
            rmsnormRows(xb, x, L.ffnNorm(), n, dim);
            matmul.apply(L.gate(), xb, n, gate);
            matmul.apply(L.up(), xb, n, up);
            lora(l, LoraTarget.FFN_GATE, xb, n, gate);
            lora(l, LoraTarget.FFN_UP, xb, n, up);
            Activation act = c.arch().activation();
            for (int i = 0; i < n * c.ffnDim(); i++) gate[i] = act.apply(gate[i]) * up[i];
            matmul.apply(L.down(), gate, n, proj);
            lora(l, LoraTarget.FFN_DOWN, gate, n, proj);
            if (L.postFfnNorm() != null) rmsnormRows(proj, proj, L.postFfnNorm(), n, dim);
            Ops.add(x, proj, n * dim);
        }
        if (logitCount == 0) return logits;
        // Sized by the most rows ever asked for: decoding asks one per sequence, prefill one in all.
        if (logits.length < logitCount * c.vocabSize()) logits = new float[logitCount * c.vocabSize()];
        // Only the rows that need logits pay for the output projection (the largest matrix).
        for (int i = 0; i < logitCount; i++) {
            Ops.rmsnorm(last, i * dim, x, logitRows[i] * dim, w.outputNorm(), dim, c.normEps());
        }
        matmul.apply(w.output(), last, logitCount, logits);
        if (c.finalSoftcap() > 0) Ops.softcap(logits, 0, logitCount * c.vocabSize(), c.finalSoftcap());
        return logits;
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

    /** Adds the LoRA adapters' delta for (layer, target), if any: out += scale · B (A x). */
    private void lora(int layer, LoraTarget target, float[] in, int n, float[] out) {
        if (!lora.isEmpty()) lora.apply(layer, target, in, n, out, loraScratch);
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
