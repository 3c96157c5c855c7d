package dev.loupe.train.nn;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * Causal grouped-query attention over B sequences of T positions. q: [B*T][heads*hd], k, v: [B*T][kvHeads*hd],
 * probabilities saved in att: [B][heads][T][T] (upper triangle unused), out: [B*T][heads*hd].
 * The forward pass splits (sequence, head) pairs across threads; the backward pass splits (sequence, kv head)
 * pairs, each owning the query heads of its group, so dK and dV (shared by the group) have a single writer.
 */
final class Attention {
    private final ThreadPool pool;
    private final int B, T, heads, kvHeads, hd;
    private final float scale;
    private final float[][] dp;
    private float[] q, k, v, att, out, dOut, dq, dk, dv;
    private boolean engineRounding;

    Attention(ThreadPool pool, int B, int T, int heads, int kvHeads, int hd) {
        this.pool = pool;
        this.B = B;
        this.T = T;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.hd = hd;
        this.scale = (float) (1.0 / Math.sqrt(hd)); // the engine's attnScale
        this.dp = new float[B * kvHeads][T];
    }

    private final RangeTask forwardPairs = this::forwardPairsRange;

    private void forwardPairsRange(int from, int to) {
        int qDim = heads * hd, kvDim = kvHeads * hd, group = heads / kvHeads;
        for (int item = from; item < to; item++) {
            int b = item / heads, h = item % heads, kvh = h / group;
            for (int t = 0; t < T; t++) {
                int qo = (b * T + t) * qDim + h * hd;
                int ao = ((b * heads + h) * T + t) * T;
                for (int t2 = 0; t2 <= t; t2++) att[ao + t2] = Vec.dot(q, qo, k, (b * T + t2) * kvDim + kvh * hd, hd) * scale;
                softmax(att, ao, t + 1);
                if (engineRounding) Half.round(att, ao, t + 1);
                java.util.Arrays.fill(out, qo, qo + hd, 0f);
                for (int t2 = 0; t2 <= t; t2++) Vec.axpy(out, qo, att[ao + t2], v, (b * T + t2) * kvDim + kvh * hd, hd);
            }
        }
    }

    private final RangeTask backwardGroups = this::backwardGroupsRange;

    private void backwardGroupsRange(int from, int to) {
        int qDim = heads * hd, kvDim = kvHeads * hd, group = heads / kvHeads;
        for (int item = from; item < to; item++) {
            int b = item / kvHeads, kvh = item % kvHeads;
            float[] d = dp[item];
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                for (int t = 0; t < T; t++) {
                    int qo = (b * T + t) * qDim + h * hd;
                    int ao = ((b * heads + h) * T + t) * T;
                    double sum = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        int vo = (b * T + t2) * kvDim + kvh * hd;
                        d[t2] = Vec.dot(dOut, qo, v, vo, hd);
                        Vec.axpy(dv, vo, att[ao + t2], dOut, qo, hd);
                        sum += att[ao + t2] * d[t2];
                    }
                    // Softmax backward: dS = P (dP - sum(P dP)), then through the scaled dot products.
                    for (int t2 = 0; t2 <= t; t2++) {
                        float ds = att[ao + t2] * (d[t2] - (float) sum) * scale;
                        int ko = (b * T + t2) * kvDim + kvh * hd;
                        Vec.axpy(dq, qo, ds, k, ko, hd);
                        Vec.axpy(dk, ko, ds, q, qo, hd);
                    }
                }
            }
        }
    }

    /** With {@code engineRounding}, probabilities are rounded to F16 as the engine does (q, k, v are rounded by the caller). */
    void forward(float[] out, float[] att, float[] q, float[] k, float[] v, boolean engineRounding) {
        this.out = out;
        this.att = att;
        this.q = q;
        this.k = k;
        this.v = v;
        this.engineRounding = engineRounding;
        pool.run(forwardPairs, B * heads);
        clear();
    }

    /** dq, dk, dv += the gradients (callers zero them first). */
    void backward(float[] dq, float[] dk, float[] dv, float[] dOut, float[] att, float[] q, float[] k, float[] v) {
        this.dq = dq;
        this.dk = dk;
        this.dv = dv;
        this.dOut = dOut;
        this.att = att;
        this.q = q;
        this.k = k;
        this.v = v;
        pool.run(backwardGroups, B * kvHeads);
        clear();
    }

    private void clear() {
        q = k = v = att = out = dOut = dq = dk = dv = null;
    }

    /** Max-subtracted softmax summed in double, as the engine's (and ggml's) soft_max. */
    static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[off + i] *= inv;
    }
}
