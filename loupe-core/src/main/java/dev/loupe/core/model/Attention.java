package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.F16Rows;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.act.ActivationDot;
import dev.loupe.core.tensor.act.ActivationDots;
import dev.loupe.core.tensor.act.QuantizedVector;

import java.lang.foreign.MemorySegment;

/**
 * Causal multi-head attention of a batch of queries against their sessions' caches; (row, head) pairs are
 * split across threads. The operands are converted as llama.cpp's CPU backend converts them
 * (ggml-cpu.c, ggml_compute_forward_mul_mat and ggml_compute_forward_flash_attn_ext_f16_one_chunk):
 * <ul>
 *   <li>Q·K: Q is converted to the key type's {@code vec_dot_type} (rounded to F16 for an F16 cache, quantized
 *   to Q8_0 for a Q8_0 or Q4_0 cache) and each score is that type's dot — an integer dot for the block types —
 *   against the stored key row, read in place.</li>
 *   <li>P·V: an F16 value cache gets the probabilities rounded to F16 (mul_mat converts kq to V's vec_dot_type);
 *   a quantized value cache, which llama.cpp runs only with flash attention, has each value row converted to
 *   floats ({@code v_to_float}) and summed with float weights; an F32 one sums in floats.</li>
 *   <li>A quantized cache is stored Hadamard-rotated ({@link Hadamard}, llama-graph.cpp's build_attn): Q is rotated
 *   like the stored K before the dot, and the value sum rotated back.</li>
 * </ul>
 */
final class Attention implements RangeTask {
    private final ModelConfig c;
    private final float[][] scores;
    private final float[][] qHalf;
    /** Per slot: the query head converted to the key type's vec_dot_type. */
    private final QuantizedVector[] qConverted;
    /** Per slot: qConverted's floats, as {@link F16Rows} takes them (set by {@link #fusedGroup}). */
    private final float[][] qRows;
    /** Per slot: one value row head decoded to floats. */
    private final float[][] valueRow;
    private float[] q;
    private float[] out;
    private KvCache[] caches;
    private int[] positions;
    private int layer;
    private int batch;
    private final int maxContext;
    /**
     * Per scratch slot, attention probability summed per key position, while a cache tracks scores (H2O): each slot
     * is one thread's at a time, so the kernel adds without races, and {@link #runMode} folds the slots into the
     * cache's scores after the layer. Made on first use; untouched (one null check per row and head) otherwise.
     */
    private float[][] received;
    private float[] tracked;

    Attention(ModelConfig c, int maxBatch, int maxContext) {
        this.c = c;
        int slots = maxBatch * c.heads();
        this.scores = new float[Math.min(slots, Math.max(c.heads(), 128))][];
        this.qHalf = new float[scores.length][c.headDim()];
        this.qConverted = new QuantizedVector[scores.length];
        this.qRows = new float[scores.length][];
        this.valueRow = new float[scores.length][c.valueDim()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = new float[0]; // grown to the keys attended (ensureScores): a long context costs only as far as it is used
            qConverted[i] = new QuantizedVector();
        }
        this.maxContext = maxContext;
    }

    /** What a wave computes: both halves fused (no pattern hook), or one half into/out of a pattern buffer. */
    private enum Mode { FUSED, PROBABILITIES, WEIGHTED_VALUES }

    private Mode mode = Mode.FUSED;
    private float[] pattern;
    private int keys;

    /** q: [batch][heads*headDim]; out: [batch][heads*valueDim]; row b attends to positions [.., positions[b]]. */
    void run(ThreadPool pool, int layer, float[] q, float[] out, KvCache[] caches, int[] positions, int batch) {
        runMode(Mode.FUSED, pool, layer, q, out, null, 0, caches, positions, batch);
    }

    /** The attention probabilities only: pattern[(b*heads + h)*keys + t], zero for keys a row does not see. */
    void probabilities(ThreadPool pool, int layer, float[] q, float[] pattern, int keys, KvCache[] caches, int[] positions, int batch) {
        runMode(Mode.PROBABILITIES, pool, layer, q, null, pattern, keys, caches, positions, batch);
    }

    /** out = pattern · V, the second half of {@link #probabilities}, after a hook may have changed the pattern. */
    void weightedValues(ThreadPool pool, int layer, float[] pattern, int keys, float[] out, KvCache[] caches, int[] positions, int batch) {
        runMode(Mode.WEIGHTED_VALUES, pool, layer, null, out, pattern, keys, caches, positions, batch);
    }

    private void runMode(Mode mode, ThreadPool pool, int layer, float[] q, float[] out, float[] pattern, int keys,
                         KvCache[] caches, int[] positions, int batch) {
        this.mode = mode;
        this.pattern = pattern;
        this.keys = keys;
        this.layer = layer;
        this.q = q;
        this.out = out;
        this.caches = caches;
        this.positions = positions;
        this.batch = batch;
        this.tracked = trackedScores(caches, batch);
        int work = batch * c.heads();
        int keysNeeded = 0;
        for (int b = 0; b < batch; b++) keysNeeded = Math.max(keysNeeded, positions[b] + 1);
        ensureScores(Math.min(scores.length, work), keysNeeded);
        // The pool's work items are units of headsPerUnit query heads of one KV head (a slot per head); scratch is per
        // slot, so with more heads than slots the units run in waves.
        headsPerUnit = mode == Mode.FUSED ? headsPerUnit(caches, batch) : 1;
        int units = work / headsPerUnit, unitsPerWave = scores.length / headsPerUnit;
        for (int start = 0; start < units; start += unitsPerWave) {
            waveStart = start;
            pool.run(this, Math.min(unitsPerWave, units - start));
        }
        if (tracked != null) foldReceived(Math.min(scores.length, work), positions, batch);
        this.q = null;
        this.out = null;
        this.caches = null;
        this.pattern = null;
    }

    private int waveStart;

    /** Score rows of the first {@code slots} slots long enough for {@code keys} positions (grown by doubling, up to the context). */
    private void ensureScores(int slots, int keys) {
        for (int i = 0; i < slots; i++) {
            if (scores[i].length < keys) scores[i] = new float[Math.min(maxContext, Math.max(keys, 2 * scores[i].length))];
        }
    }

    /** The score array of the batch's cache if it tracks one (then every row must be of that cache), else null. */
    private float[] trackedScores(KvCache[] caches, int batch) {
        float[] s = caches[0].scores;
        if (s == null) return null;
        for (int b = 1; b < batch; b++) {
            if (caches[b] != caches[0]) throw new IllegalStateException("attention scores are tracked for one sequence at a time");
        }
        if (received == null) received = new float[scores.length][maxContext];
        return s;
    }

    /** Adds what the slots received into the tracked scores and clears them for the next layer. */
    private void foldReceived(int slots, int[] positions, int batch) {
        int keys = 0;
        for (int b = 0; b < batch; b++) keys = Math.max(keys, positions[b] + 1);
        for (int s = 0; s < slots; s++) {
            float[] r = received[s];
            for (int t = 0; t < keys; t++) {
                tracked[t] += r[t];
                r[t] = 0f;
            }
        }
        tracked = null;
    }

    @Override
    public void run(int from, int to) {
        int heads = c.heads();
        boolean sliding = c.isSlidingLayer(layer);
        int m = headsPerUnit;
        for (int unit = from; unit < to; unit++) {
            int item = (waveStart + unit) * m, slot = unit * m;
            int b = item / heads, h = item % heads;
            int pos = positions[b];
            int start = sliding ? Math.max(0, pos - c.slidingWindow() + 1) : 0;
            switch (mode) {
                case FUSED -> {
                    if (m > 1) {
                        fusedGroup(slot, m, b, h, start, pos);
                    } else {
                        probabilities(slot, b, h, start, pos, scores[slot], 0);
                        weightedValues(slot, b, h, start, pos, scores[slot], 0);
                    }
                }
                case PROBABILITIES -> {
                    int row = item * keys;
                    java.util.Arrays.fill(pattern, row, row + keys, 0f);
                    probabilities(slot, b, h, start, pos, pattern, row + start);
                }
                case WEIGHTED_VALUES -> weightedValues(slot, b, h, start, pos, pattern, item * keys + start);
            }
        }
    }

    /** p[off + (t - start)] = softmax over t in [start, pos] of q·k_t, rounded to F16 for an F16 value cache. */
    private void probabilities(int slot, int b, int h, int start, int pos, float[] p, int off) {
        int hd = c.headDim(), heads = c.heads(), group = heads / c.kvHeads();
        KvCache cache = caches[b];
        KvPool kv = cache.pool;
        GgmlType keyType = kv.format().keys();
        ActivationDot dot = ActivationDots.of(keyType);
        float[] qh = qHalf[slot];
        System.arraycopy(q, b * heads * hd + h * hd, qh, 0, hd);
        if (kv.keyRotation() > 0) Hadamard.rotate(qh, 0, hd, kv.keyRotation());
        QuantizedVector qc = qConverted[slot];
        qc.quantize(qh, hd, ActivationDots.vecDotType(keyType));
        long head = (h / group) * keyType.rowBytes(hd), stride = kv.keyRowBytes();
        float scale = c.attnScale();
        // Walk the block table: within a block the positions are consecutive rows, so the inner loop is the same
        // strided walk as over a contiguous cache.
        for (int t = start; t <= pos; ) {
            int end = Math.min(pos, cache.lastInBlock(t));
            int row = cache.row(t);
            MemorySegment block = kv.block(row >>> kv.blockShift);
            for (long o = kv.keyOffset(layer, row & kv.blockMask) + head; t <= end; t++, o += stride) {
                p[off + t - start] = dot.dot(block, o, qc, 0, hd) * scale;
            }
        }
        normalize(slot, start, pos, p, off, kv);
    }

    /** Scores [off, off + n) of positions [start, pos] made probabilities (softcap, softmax, F16 rounding), and tracked. */
    private void normalize(int slot, int start, int pos, float[] p, int off, KvPool kv) {
        int n = pos - start + 1;
        if (c.attnSoftcap() > 0) Ops.softcap(p, off, n, c.attnSoftcap());
        Ops.softmax(p, off, n);
        if (kv.format().values() == GgmlType.F16) Ops.roundToHalf(p, off, n);
        if (tracked != null) {
            float[] r = received[slot];
            for (int i = 0; i < n; i++) r[start + i] += p[off + i];
        }
    }

    /** Query heads per work item of the current run (see {@link #headsPerUnit(KvCache[], int)}). */
    private int headsPerUnit = 1;

    /**
     * How many query heads of one KV head a work item runs together: with every row's cache F16/F16, the largest divisor
     * of the group size up to {@link F16Rows#MAX_HEADS} (run by {@link #fusedGroup}); 1 otherwise.
     */
    private int headsPerUnit(KvCache[] caches, int batch) {
        for (int b = 0; b < batch; b++) {
            KvFormat f = caches[b].pool.format();
            if (f.keys() != GgmlType.F16 || f.values() != GgmlType.F16) return 1;
        }
        int group = c.heads() / c.kvHeads();
        for (int m = Math.min(F16Rows.MAX_HEADS, group); m > 1; m--) if (group % m == 0) return m;
        return 1;
    }

    /**
     * {@link #probabilities} then {@link #weightedValues} for the m query heads h.. of one KV head on an F16/F16 cache:
     * each key and value row is converted from halves once for all m heads (see {@link F16Rows}); bit-identical to
     * running the heads one by one.
     */
    private void fusedGroup(int slot, int m, int b, int h, int start, int pos) {
        int hd = c.headDim(), vd = c.valueDim(), heads = c.heads(), group = heads / c.kvHeads();
        KvCache cache = caches[b];
        KvPool kv = cache.pool;
        for (int j = 0; j < m; j++) {
            float[] qh = qHalf[slot + j];
            System.arraycopy(q, b * heads * hd + (h + j) * hd, qh, 0, hd);
            qConverted[slot + j].quantize(qh, hd, GgmlType.F16);
            qRows[slot + j] = qConverted[slot + j].floats();
        }
        long keyHead = (h / group) * GgmlType.F16.rowBytes(hd), valueHead = (h / group) * GgmlType.F16.rowBytes(vd);
        for (int t = start; t <= pos; ) {
            int end = Math.min(pos, cache.lastInBlock(t));
            int row = cache.row(t);
            F16Rows.dots(kv.block(row >>> kv.blockShift), kv.keyOffset(layer, row & kv.blockMask) + keyHead, kv.keyRowBytes(),
                    end - t + 1, qRows, slot, m, hd, c.attnScale(), scores, t - start);
            t = end + 1;
        }
        for (int j = 0; j < m; j++) normalize(slot + j, start, pos, scores[slot + j], 0, kv);
        int o = b * heads * vd + h * vd;
        java.util.Arrays.fill(out, o, o + m * vd, 0f);
        for (int t = start; t <= pos; ) {
            int end = Math.min(pos, cache.lastInBlock(t));
            int row = cache.row(t);
            F16Rows.accumulate(kv.block(row >>> kv.blockShift), kv.valueOffset(layer, row & kv.blockMask) + valueHead,
                    kv.valueRowBytes(), end - t + 1, scores, slot, m, t - start, out, o, vd, vd);
            t = end + 1;
        }
    }

    /** out[b, h] = sum over t in [start, pos] of p[off + (t - start)] * v_t. */
    private void weightedValues(int slot, int b, int h, int start, int pos, float[] p, int off) {
        int vd = c.valueDim(), heads = c.heads(), group = heads / c.kvHeads();
        KvCache cache = caches[b];
        KvPool kv = cache.pool;
        GgmlType valueType = kv.format().values();
        Codec codec = Codecs.of(valueType, "KV cache values");
        float[] v = valueRow[slot];
        long head = (h / group) * valueType.rowBytes(vd), stride = kv.valueRowBytes();
        int o = b * heads * vd + h * vd;
        for (int i = 0; i < vd; i++) out[o + i] = 0;
        for (int t = start; t <= pos; ) {
            int end = Math.min(pos, cache.lastInBlock(t));
            int row = cache.row(t);
            MemorySegment block = kv.block(row >>> kv.blockShift);
            for (long vo = kv.valueOffset(layer, row & kv.blockMask) + head; t <= end; t++, vo += stride) {
                codec.accumulate(block, vo, p[off + t - start], out, o, vd, v);
            }
        }
        if (kv.valueRotation() > 0) Hadamard.rotate(out, o, vd, kv.valueRotation());
    }
}
