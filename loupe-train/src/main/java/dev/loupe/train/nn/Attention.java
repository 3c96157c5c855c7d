package dev.loupe.train.nn;

import dev.loupe.core.model.Softmax;
import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * Causal grouped-query attention over B sequences of T positions. q: [B*T][heads*hd], k, v: [B*T][kvHeads*hd],
 * probabilities saved in att: [B][heads][T][T], out: [B*T][heads*hd].
 *
 * <p>Every product is a {@link Gemm} over row tiles of {@link Gemm#MR} positions: S = Q K^T, O = P V forward;
 * dV += P^T dO, dP = dO V^T, dQ += dS K, dK += dS^T Q backward. A tile of rows [i, i+MR) only ever touches columns
 * below i+MR (causality), and the entries above the diagonal inside that band are kept at exactly 0, so the
 * products can run over the whole band without a mask. K (forward) and V (backward) are transposed once per
 * (sequence, kv head) so the kernel streams their rows.
 *
 * <p>The forward pass splits (sequence, head) pairs across threads; the backward pass splits (sequence, kv head)
 * pairs, each owning the query heads of its group, so dK and dV (shared by the group) have a single writer. The
 * backward pass overwrites att with dS (att is not needed after it).
 */
final class Attention {
    private static final int MR = Gemm.MR;
    private final ThreadPool pool;
    private final int B, T, heads, kvHeads, hd;
    private final float scale;
    private final float[] transposed; // [B][kvHeads][hd][T]: K^T in the forward pass, V^T in the backward pass
    private final float[][] dpTile;   // per (sequence, kv head): MR rows of dP
    private float[] q, k, v, att, out, dOut, dq, dk, dv;

    Attention(ThreadPool pool, int B, int T, int heads, int kvHeads, int hd) {
        this.pool = pool;
        this.B = B;
        this.T = T;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.hd = hd;
        this.scale = (float) (1.0 / Math.sqrt(hd)); // the engine's attnScale
        this.transposed = new float[B * kvHeads * hd * T];
        this.dpTile = new float[B * kvHeads][MR * T];
    }

    /** transposed[b][kvh][i][t] = src[b*T + t][kvh*hd + i] for the (sequence, kv head) pairs in range. */
    private void transpose(float[] src, int from, int to) {
        int kvDim = kvHeads * hd;
        for (int item = from; item < to; item++) {
            int b = item / kvHeads, kvh = item % kvHeads, dst = item * hd * T;
            for (int t = 0; t < T; t++) {
                int s = (b * T + t) * kvDim + kvh * hd;
                for (int i = 0; i < hd; i++) transposed[dst + i * T + t] = src[s + i];
            }
        }
    }

    private final RangeTask transposeK = (from, to) -> transpose(k, from, to);

    private final RangeTask forwardPairs = this::forwardPairsRange;

    private void forwardPairsRange(int from, int to) {
        int qDim = heads * hd, kvDim = kvHeads * hd, group = heads / kvHeads;
        for (int item = from; item < to; item++) {
            int b = item / heads, h = item % heads, kvh = h / group;
            int qBase = b * T * qDim + h * hd, vBase = b * T * kvDim + kvh * hd;
            int attBase = (b * heads + h) * T * T, ktBase = (b * kvHeads + kvh) * hd * T;
            for (int i = 0; i < T; i += MR) {
                int r1 = Math.min(T, i + MR);
                Gemm.rows(att, attBase, T, q, qBase, qDim, 1, transposed, ktBase, T, i, r1, r1, hd, false);
                for (int t = i; t < r1; t++) {
                    int ao = attBase + t * T;
                    for (int t2 = 0; t2 <= t; t2++) att[ao + t2] *= scale;
                    Softmax.inPlace(att, ao, t + 1);
                    java.util.Arrays.fill(att, ao + t + 1, ao + r1, 0f);
                }
                Gemm.rows(out, qBase, qDim, att, attBase, T, 1, v, vBase, kvDim, i, r1, hd, r1, false);
            }
        }
    }

    /**
     * The engine's arithmetic exactly (its Attention: scalar dot products and value sums, multiply then add, no
     * fused multiply-add), for bit-identical comparisons only.
     */
    private final RangeTask forwardPairsEngineOrder = this::forwardPairsEngineOrderRange;

    private void forwardPairsEngineOrderRange(int from, int to) {
        int qDim = heads * hd, kvDim = kvHeads * hd, group = heads / kvHeads;
        for (int item = from; item < to; item++) {
            int b = item / heads, h = item % heads, kvh = h / group;
            for (int t = 0; t < T; t++) {
                int qo = (b * T + t) * qDim + h * hd;
                int ao = ((b * heads + h) * T + t) * T;
                for (int t2 = 0; t2 <= t; t2++) {
                    int ko = (b * T + t2) * kvDim + kvh * hd;
                    float dot = 0;
                    for (int i = 0; i < hd; i++) dot += q[qo + i] * k[ko + i];
                    att[ao + t2] = dot * scale;
                }
                Softmax.inPlace(att, ao, t + 1);
                Half.round(att, ao, t + 1);
                java.util.Arrays.fill(att, ao + t + 1, ao + Math.min(T, (t / MR + 1) * MR), 0f);
                java.util.Arrays.fill(out, qo, qo + hd, 0f);
                for (int t2 = 0; t2 <= t; t2++) {
                    float p = att[ao + t2];
                    int vo = (b * T + t2) * kvDim + kvh * hd;
                    for (int i = 0; i < hd; i++) out[qo + i] += p * v[vo + i];
                }
            }
        }
    }

    private final RangeTask transposeV = (from, to) -> transpose(v, from, to);

    private final RangeTask backwardGroups = this::backwardGroupsRange;

    private void backwardGroupsRange(int from, int to) {
        int qDim = heads * hd, kvDim = kvHeads * hd, group = heads / kvHeads;
        for (int item = from; item < to; item++) {
            int b = item / kvHeads, kvh = item % kvHeads;
            int kvBase = b * T * kvDim + kvh * hd, vtBase = item * hd * T;
            float[] dp = dpTile[item];
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                int qBase = b * T * qDim + h * hd, attBase = (b * heads + h) * T * T;
                // dV[t2] += sum over t >= t2 of P[t][t2] dO[t]: rows t2 of a tile, k = t from the tile's start.
                for (int i = 0; i < T; i += MR) {
                    Gemm.rows(dv, kvBase, kvDim, att, attBase + i * T, 1, T, dOut, qBase + i * qDim, qDim, i, Math.min(T, i + MR), hd, T - i, true);
                }
                // dS = P (dP - sum(P dP)) * scale, written over P.
                for (int i = 0; i < T; i += MR) {
                    int r1 = Math.min(T, i + MR);
                    Gemm.rows(dp, -i * T, T, dOut, qBase, qDim, 1, transposed, vtBase, T, i, r1, r1, hd, false);
                    for (int t = i; t < r1; t++) {
                        int ao = attBase + t * T, po = (t - i) * T;
                        double sum = 0;
                        for (int t2 = 0; t2 <= t; t2++) sum += att[ao + t2] * dp[po + t2];
                        float s = (float) sum;
                        for (int t2 = 0; t2 <= t; t2++) att[ao + t2] = att[ao + t2] * (dp[po + t2] - s) * scale;
                    }
                }
                for (int i = 0; i < T; i += MR) {
                    int r1 = Math.min(T, i + MR);
                    Gemm.rows(dq, qBase, qDim, att, attBase, T, 1, k, kvBase, kvDim, i, r1, hd, r1, true);
                    Gemm.rows(dk, kvBase, kvDim, att, attBase + i * T, 1, T, q, qBase + i * qDim, qDim, i, r1, hd, T - i, true);
                }
            }
        }
    }

    /**
     * With {@code engineRounding}, scores are summed in the engine's order and probabilities rounded to F16 as the
     * engine does (q, k, v are rounded by the caller): slower, for bit-identical comparison with inference.
     */
    void forward(float[] out, float[] att, float[] q, float[] k, float[] v, boolean engineRounding) {
        this.out = out;
        this.att = att;
        this.q = q;
        this.k = k;
        this.v = v;
        if (engineRounding) {
            pool.run(forwardPairsEngineOrder, B * heads);
        } else {
            pool.run(transposeK, B * kvHeads);
            pool.run(forwardPairs, B * heads);
        }
        clear();
    }

    /** dq, dk, dv += the gradients (callers zero them first). Overwrites att with dS. */
    void backward(float[] dq, float[] dk, float[] dv, float[] dOut, float[] att, float[] q, float[] k, float[] v) {
        this.dq = dq;
        this.dk = dk;
        this.dv = dv;
        this.dOut = dOut;
        this.att = att;
        this.q = q;
        this.k = k;
        this.v = v;
        pool.run(transposeV, B * kvHeads);
        pool.run(backwardGroups, B * kvHeads);
        clear();
    }

    private void clear() {
        q = k = v = att = out = dOut = dq = dk = dv = null;
    }
}
