package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * Causal multi-head attention of a batch of queries against their sessions' caches; (row, head) pairs are
 * split across threads. Q and the attention weights are rounded to F16 before their products with the F16
 * cache, as llama.cpp's CPU matmul converts its operands.
 */
final class Attention implements RangeTask {
    private final ModelConfig c;
    private final float[][] scores;
    private final float[][] qHalf;
    private float[] q;
    private float[] out;
    private KvCache[] caches;
    private int[] positions;
    private int layer;
    private int batch;

    Attention(ModelConfig c, int maxBatch, int maxContext) {
        this.c = c;
        int slots = maxBatch * c.heads();
        this.scores = new float[Math.min(slots, Math.max(c.heads(), 128))][];
        this.qHalf = new float[scores.length][c.headDim()];
        for (int i = 0; i < scores.length; i++) scores[i] = new float[maxContext];
    }

    /** q: [batch][heads*headDim]; out: [batch][heads*valueDim]; row b attends to positions [.., positions[b]]. */
    void run(ThreadPool pool, int layer, float[] q, float[] out, KvCache[] caches, int[] positions, int batch) {
        this.layer = layer;
        this.q = q;
        this.out = out;
        this.caches = caches;
        this.positions = positions;
        this.batch = batch;
        int work = batch * c.heads();
        // Scratch is per slot; with more (row, head) pairs than slots, run in waves.
        for (int start = 0; start < work; start += scores.length) {
            waveStart = start;
            pool.run(this, Math.min(scores.length, work - start));
        }
        this.q = null;
        this.out = null;
        this.caches = null;
    }

    private int waveStart;

    @Override
    public void run(int from, int to) {
        int hd = c.headDim(), vd = c.valueDim(), kvDim = c.kvDim(), vDim = c.vDim();
        int heads = c.heads(), group = heads / c.kvHeads();
        boolean sliding = c.isSlidingLayer(layer);
        for (int slot = from; slot < to; slot++) {
            int item = waveStart + slot;
            int b = item / heads, h = item % heads;
            int pos = positions[b];
            KvCache cache = caches[b];
            KvPool kv = cache.pool;
            float[] keys = kv.keys[layer], values = kv.values[layer];
            int[] table = cache.table;
            int shift = kv.blockShift, mask = kv.blockMask;
            int kvh = h / group;
            float[] s = scores[slot];
            float[] qh = qHalf[slot];
            System.arraycopy(q, b * heads * hd + h * hd, qh, 0, hd);
            Ops.roundToHalf(qh, 0, hd);
            int start = sliding ? Math.max(0, pos - c.slidingWindow() + 1) : 0;
            float scale = c.attnScale();
            // Walk the block table: within a block the positions are consecutive rows, so the inner loops are the
            // same strided walks as over a contiguous cache.
            for (int t = start; t <= pos; ) {
                int end = Math.min(pos, t | mask);
                int row = (table[t >>> shift] << shift) | (t & mask);
                for (; t <= end; t++, row++) s[t - start] = Ops.dot(qh, 0, keys, row * kvDim + kvh * hd, hd) * scale;
            }
            int n = pos - start + 1;
            if (c.attnSoftcap() > 0) Ops.softcap(s, 0, n, c.attnSoftcap());
            Ops.softmax(s, 0, n);
            Ops.roundToHalf(s, 0, n);
            int o = b * heads * vd + h * vd;
            for (int i = 0; i < vd; i++) out[o + i] = 0;
            for (int t = start; t <= pos; ) {
                int end = Math.min(pos, t | mask);
                int row = (table[t >>> shift] << shift) | (t & mask);
                for (; t <= end; t++, row++) {
                    float p = s[t - start];
                    int vo = row * vDim + kvh * vd;
                    for (int i = 0; i < vd; i++) out[o + i] += p * values[vo + i];
                }
            }
        }
    }
}
