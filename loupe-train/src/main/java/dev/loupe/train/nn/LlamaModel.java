package dev.loupe.train.nn;

import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;

import java.util.Arrays;

/**
 * A Llama with explicit forward and backward passes over a batch of B sequences of T tokens (llm.c style: no
 * autograd; every activation the backward pass needs is kept in a buffer sized once, so a training step
 * allocates nothing). Parameters and gradients are flat arrays laid out by {@link ParamLayout}.
 * Not thread-safe; the kernels themselves use the pool.
 */
public final class LlamaModel {
    private final LlamaConfig c;
    private final ParamLayout layout;
    private final int B, T, N;
    public final float[] params;
    public final float[] grads;
    private final MatMul mm;
    private final Attention attention;
    private final CrossEntropy ce;
    private final RopeTable rope;

    // Activations, per layer where the backward pass needs them.
    private final float[][] resid, xb1, rstd1, q, k, v, att, ao, xMid, xb2, rstd2, gate, up, h;
    private final float[] xf, rstdF, logits, proj;
    // Backward scratch.
    private final float[] dx, dxb, dao, dq, dk, dv, dh, dgate, dup;
    private final int[] tokens, targets;
    private boolean haveForward;
    // Fine-tuning: unmasked targets of the last forward pass, per-row gradient scales, and the LoRA adapters (or null).
    private final ThreadPool pool;
    private final float[] rowScale;
    private int counted;
    private Lora lora;

    public LlamaModel(LlamaConfig c, int batch, int seqLen, ThreadPool pool) {
        if (seqLen > c.contextLength()) throw new IllegalArgumentException("sequence length " + seqLen + " exceeds the context " + c.contextLength());
        this.c = c;
        this.layout = new ParamLayout(c);
        this.B = batch;
        this.T = seqLen;
        this.N = batch * seqLen;
        this.params = new float[layout.size];
        this.grads = new float[layout.size];
        this.mm = new MatMul(pool);
        this.attention = new Attention(pool, B, T, c.heads(), c.kvHeads(), c.headDim());
        this.ce = new CrossEntropy(pool, N);
        this.rope = new RopeTable(c.contextLength(), c.headDim(), c.ropeTheta());
        int L = c.layers(), d = c.dim(), kv = c.kvDim(), f = c.ffnDim();
        resid = new float[L + 1][N * d];
        xb1 = buffers(L, N * d);
        rstd1 = buffers(L, N);
        q = buffers(L, N * d);
        k = buffers(L, N * kv);
        v = buffers(L, N * kv);
        att = buffers(L, B * c.heads() * T * T);
        ao = buffers(L, N * d);
        xMid = buffers(L, N * d);
        xb2 = buffers(L, N * d);
        rstd2 = buffers(L, N);
        gate = buffers(L, N * f);
        up = buffers(L, N * f);
        h = buffers(L, N * f);
        xf = new float[N * d];
        rstdF = new float[N];
        logits = new float[N * c.vocab()];
        proj = new float[N * d];
        dx = new float[N * d];
        dxb = new float[N * d];
        dao = new float[N * d];
        dq = new float[N * d];
        dk = new float[N * kv];
        dv = new float[N * kv];
        dh = new float[N * f];
        dgate = new float[N * f];
        dup = new float[N * f];
        tokens = new int[N];
        targets = new int[N];
        this.pool = pool;
        this.rowScale = new float[N];
    }

    private static float[][] buffers(int n, int size) {
        return new float[n][size];
    }

    public LlamaConfig config() {
        return c;
    }

    public ParamLayout layout() {
        return layout;
    }

    public int batch() {
        return B;
    }

    public int seqLen() {
        return T;
    }

    /**
     * GPT-2's initialisation: N(0, 0.02) for embeddings and matrices, the two projections that write into the
     * residual stream (attn_output, ffn_down) scaled by 1/sqrt(2 layers) so its variance does not grow with depth;
     * norm weights 1.
     */
    public void initialize(long seed) {
        SplitMix64 r = new SplitMix64(seed);
        double residScale = 1.0 / Math.sqrt(2.0 * c.layers());
        for (ParamLayout.Tensor t : layout.tensors()) {
            boolean residual = t.name().endsWith("attn_output.weight") || t.name().endsWith("ffn_down.weight");
            for (int i = 0; i < t.size(); i++) {
                params[t.offset() + i] = switch (t.kind()) {
                    case NORM -> 1f;
                    case EMBEDDING, MATRIX -> (float) (0.02 * r.nextGaussian() * (residual ? residScale : 1.0));
                };
            }
        }
    }

    /** The logits [B*T][vocab] of the last forward pass (overwritten by {@link #backward}). */
    public float[] logits() {
        return logits;
    }

    /**
     * Runs B*T tokens (sequence b at [b*T, (b+1)*T), positions from 0). Returns the mean cross-entropy against
     * {@code targets} over the targets that are not masked (a target of -1 masks its position: fine-tuning counts only
     * the assistant's tokens), or NaN when targets is null. {@code engineRounding} rounds Q, K, V and the attention weights
     * to F16 as Loupe's engine (and llama.cpp) do, for a tight comparison with inference; training leaves it off.
     */
    public double forward(int[] tokenIds, int[] targetIds, boolean engineRounding) {
        int d = c.dim(), kv = c.kvDim(), f = c.ffnDim(), V = c.vocab();
        mm.engineOrder(engineRounding); // with the F16 rounding, sum in the engine's order too: bit-identical logits
        System.arraycopy(tokenIds, 0, tokens, 0, N);
        for (int n = 0; n < N; n++) {
            int t = tokens[n];
            if (t < 0 || t >= V) throw new IllegalArgumentException("token " + t + " outside the vocabulary");
            System.arraycopy(params, layout.tokenEmbd + t * d, resid[0], n * d, d);
        }
        for (int l = 0; l < c.layers(); l++) {
            ParamLayout.Layer p = layout.layer(l);
            Norm.forward(xb1[l], rstd1[l], resid[l], params, p.attnNorm(), N, d, c.normEps());
            mm.forward(q[l], xb1[l], params, p.wq(), N, d, d);
            mm.forward(k[l], xb1[l], params, p.wk(), N, d, kv);
            mm.forward(v[l], xb1[l], params, p.wv(), N, d, kv);
            if (lora != null) {
                lora.forward(l, LoraTarget.ATTN_Q, q[l], xb1[l]);
                lora.forward(l, LoraTarget.ATTN_K, k[l], xb1[l]);
                lora.forward(l, LoraTarget.ATTN_V, v[l], xb1[l]);
            }
            for (int n = 0; n < N; n++) {
                rope.rotate(q[l], n * d, c.heads(), n % T, 1f);
                rope.rotate(k[l], n * kv, c.kvHeads(), n % T, 1f);
            }
            if (engineRounding) {
                Half.round(q[l], 0, N * d);
                Half.round(k[l], 0, N * kv);
                Half.round(v[l], 0, N * kv);
            }
            attention.forward(ao[l], att[l], q[l], k[l], v[l], engineRounding);
            mm.forward(proj, ao[l], params, p.wo(), N, d, d);
            if (lora != null) lora.forward(l, LoraTarget.ATTN_OUTPUT, proj, ao[l]);
            add(xMid[l], resid[l], proj, N * d);
            Norm.forward(xb2[l], rstd2[l], xMid[l], params, p.ffnNorm(), N, d, c.normEps());
            mm.forward(gate[l], xb2[l], params, p.gate(), N, d, f);
            mm.forward(up[l], xb2[l], params, p.up(), N, d, f);
            if (lora != null) {
                lora.forward(l, LoraTarget.FFN_GATE, gate[l], xb2[l]);
                lora.forward(l, LoraTarget.FFN_UP, up[l], xb2[l]);
            }
            SwiGlu.forward(h[l], gate[l], up[l], N * f);
            mm.forward(proj, h[l], params, p.down(), N, f, d);
            if (lora != null) lora.forward(l, LoraTarget.FFN_DOWN, proj, h[l]);
            add(resid[l + 1], xMid[l], proj, N * d);
        }
        Norm.forward(xf, rstdF, resid[c.layers()], params, layout.outputNorm, N, d, c.normEps());
        mm.forward(logits, xf, params, layout.output, N, d, V);
        haveForward = targetIds != null;
        if (targetIds == null) return Double.NaN;
        System.arraycopy(targetIds, 0, targets, 0, N);
        counted = CrossEntropy.counted(targets, N);
        return ce.run(logits, targets, N, V, false, 0f);
    }

    /**
     * After a forward pass with targets: the summed log-probability of the unmasked targets of each sequence,
     * {@code out[b] = sum_t log p(targets[b*T+t])} (DPO's policy and reference terms).
     */
    public void sequenceLogProbs(double[] out) {
        if (!haveForward) throw new IllegalStateException("sequence log-probabilities need a forward pass with targets");
        for (int b = 0; b < B; b++) {
            double s = 0;
            for (int t = 0; t < T; t++) s -= ce.rowLoss(b * T + t);
            out[b] = s;
        }
    }

    /**
     * Adds d(loss * lossScale)/d(params) to {@link #grads} for the last forward pass (which needed targets).
     * {@code lossScale} is 1 for one batch; 1/k when k micro-batches are accumulated into one step.
     */
    public void backward(float lossScale) {
        if (!haveForward) throw new IllegalStateException("backward needs a forward pass with targets");
        // Mean over the unmasked targets (all N when nothing is masked, as in pretraining).
        Arrays.fill(rowScale, lossScale / Math.max(1, counted));
        backwardScaled(rowScale);
    }

    /**
     * Adds to the gradients d(sum_b seqScale[b] * S_b)/d(params) for the last forward pass, where S_b is the
     * summed cross-entropy of sequence b's unmasked targets (= minus its {@link #sequenceLogProbs log-probability}).
     * DPO weighs its chosen and rejected sequences this way.
     */
    public void backwardSequences(float[] seqScale) {
        if (!haveForward) throw new IllegalStateException("backward needs a forward pass with targets");
        for (int b = 0; b < B; b++) Arrays.fill(rowScale, b * T, (b + 1) * T, seqScale[b]);
        backwardScaled(rowScale);
    }

    private void backwardScaled(float[] scale) {
        haveForward = false;
        int d = c.dim(), kv = c.kvDim(), f = c.ffnDim(), V = c.vocab();
        // A LoRA run trains only the adapters: the frozen base's weight gradients would be thrown away, so they are
        // not formed at all (null skips dW in MatMul and Norm; dx still flows down through every layer).
        float[] dW = lora == null ? grads : null;
        ce.run(logits, targets, N, V, scale);
        float[] dLogits = logits;
        Arrays.fill(dxb, 0f);
        mm.backward(dxb, dW, dLogits, xf, params, layout.output, N, d, V);
        Arrays.fill(dx, 0f);
        Norm.backward(dx, dW, layout.outputNorm, dxb, resid[c.layers()], params, rstdF, N, d);
        for (int l = c.layers() - 1; l >= 0; l--) {
            ParamLayout.Layer p = layout.layer(l);
            // resid[l+1] = xMid + down(silu(gate) * up); dx holds d/d resid[l+1], which is also d/d xMid so far.
            Arrays.fill(dh, 0f);
            mm.backward(dh, dW, dx, h[l], params, p.down(), N, f, d);
            if (lora != null) lora.backward(l, LoraTarget.FFN_DOWN, dh, dx, h[l]);
            SwiGlu.backward(dgate, dup, dh, gate[l], up[l], N * f);
            Arrays.fill(dxb, 0f);
            mm.backward(dxb, dW, dgate, xb2[l], params, p.gate(), N, d, f);
            mm.backward(dxb, dW, dup, xb2[l], params, p.up(), N, d, f);
            if (lora != null) {
                lora.backward(l, LoraTarget.FFN_GATE, dxb, dgate, xb2[l]);
                lora.backward(l, LoraTarget.FFN_UP, dxb, dup, xb2[l]);
            }
            Norm.backward(dx, dW, p.ffnNorm(), dxb, xMid[l], params, rstd2[l], N, d);
            // xMid = resid[l] + wo(attention(...)); dx now holds d/d xMid.
            Arrays.fill(dao, 0f);
            mm.backward(dao, dW, dx, ao[l], params, p.wo(), N, d, d);
            if (lora != null) lora.backward(l, LoraTarget.ATTN_OUTPUT, dao, dx, ao[l]);
            Arrays.fill(dq, 0f);
            Arrays.fill(dk, 0f);
            Arrays.fill(dv, 0f);
            attention.backward(dq, dk, dv, dao, att[l], q[l], k[l], v[l]);
            for (int n = 0; n < N; n++) {
                rope.rotate(dq, n * d, c.heads(), n % T, -1f);
                rope.rotate(dk, n * kv, c.kvHeads(), n % T, -1f);
            }
            Arrays.fill(dxb, 0f);
            mm.backward(dxb, dW, dq, xb1[l], params, p.wq(), N, d, d);
            mm.backward(dxb, dW, dk, xb1[l], params, p.wk(), N, d, kv);
            mm.backward(dxb, dW, dv, xb1[l], params, p.wv(), N, d, kv);
            if (lora != null) {
                lora.backward(l, LoraTarget.ATTN_Q, dxb, dq, xb1[l]);
                lora.backward(l, LoraTarget.ATTN_K, dxb, dk, xb1[l]);
                lora.backward(l, LoraTarget.ATTN_V, dxb, dv, xb1[l]);
            }
            Norm.backward(dx, dW, p.attnNorm(), dxb, resid[l], params, rstd1[l], N, d);
        }
        if (dW == null) return;
        for (int n = 0; n < N; n++) Vec.axpy(grads, layout.tokenEmbd + tokens[n] * d, 1f, dx, n * d, d);
    }

    public void zeroGrad() {
        Arrays.fill(grads, 0f);
        if (lora != null) lora.zeroGrad();
    }

    /**
     * Adds LoRA adapters to the matrices {@code config} targets (B = 0, so the model's outputs do not change until
     * they train) and returns them. The base parameters stay as they are; a LoRA run updates only the adapters'.
     */
    public Lora attachLora(Lora.Config config) {
        lora = new Lora(config, c, N, pool);
        return lora;
    }

    /** The attached adapters, or null. */
    public Lora lora() {
        return lora;
    }

    private static void add(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
    }
}
