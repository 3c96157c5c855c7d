package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.RowGroups;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.core.tensor.act.ActivationDot;
import dev.loupe.core.tensor.act.ActivationDots;
import dev.loupe.core.tensor.act.QuantizedVector;

import java.lang.foreign.MemorySegment;

/**
 * out[b] = W · x[b] for a batch of input rows, weight rows split across the pool. The weight row is the
 * outer loop, so each row is read from memory once for the whole batch: decoding many sequences (or
 * prefilling many tokens) costs little more weight traffic than one. Inputs and outputs are flat,
 * row-major: x[b * cols + i], out[b * rows + r]. One instance per forward engine; it is its own task.
 *
 * <p>As llama.cpp's CPU mul_mat does, the inputs are first converted to the weight type's vec_dot_type
 * (Q8_0/Q8_1/Q8_K for quantized weights, fp16/bf16-rounded for F16/BF16) — once, block by block across the pool,
 * into a buffer reused across calls — and every row is then an integer (or float) dot against that. The
 * whole batch converts in one go: cols is a whole number of blocks, so no block straddles two inputs.
 *
 * <p>The rows are walked in tiles of {@link #ROW_TILE}, each handed whole to {@link ActivationDot#dotTile}:
 * every input of the batch is multiplied by the whole tile before the next tile starts. The tile's weights
 * (16 rows, 20–70 KB for 1B–8B shapes; unpacked to floats by the quantized kernels, 128 KB at 2048 columns) stay in
 * L2 while each converted input (a few KB) is read once per tile rather than once per row; row-by-row, a 512-token
 * prefill re-streams megabytes of activations from L3 for every weight row.
 *
 * <p>Matrices that read the same input (q/k/v, gate/up) go through {@link #apply(float[], int, Tensor, float[], Tensor,
 * float[], Tensor, float[])} together: the input is converted once and all their rows are one pool run, so a decoded
 * token waits for the team once per input instead of once per matrix (each row still computed by the same kernel).
 */
final class MatMul implements RangeTask {
    static final int ROW_TILE = 16;
    private static final int MAX_PARTS = 3;

    private final ThreadPool pool;
    private final QuantizedVector act = new QuantizedVector();
    // The run's matrices ("parts"), in pool-index order: part i covers indices [start[i], start[i + 1]), one per
    // row, or per row group of a repacked matrix.
    private final ActivationDot[] dots = new ActivationDot[MAX_PARTS];
    private final MemorySegment[] data = new MemorySegment[MAX_PARTS];
    private final long[] rowBytes = new long[MAX_PARTS];
    private final int[] rows = new int[MAX_PARTS];
    private final int[] units = new int[MAX_PARTS];
    private final int[] start = new int[MAX_PARTS + 1];
    private final float[][] outs = new float[MAX_PARTS][];
    private float[] input;
    private final RangeTask convert = (from, to) -> act.convert(input, from, to);
    private int parts;
    private int cols;
    private int batch;

    MatMul(ThreadPool pool) {
        this.pool = pool;
    }

    void apply(Tensor w, float[] x, int batch, float[] out) {
        apply(x, batch, w, out, null, null, null, null);
    }

    /**
     * out_i[b] = W_i · x[b] for two or three matrices of the same input (w2 may be null). Matrices whose inputs
     * convert differently (another vec_dot type) or have another width are run one after the other.
     */
    void apply(float[] x, int batch, Tensor w0, float[] out0, Tensor w1, float[] out1, Tensor w2, float[] out2) {
        if (!fusable(w0, w1) || (w2 != null && !fusable(w0, w2))) {
            apply(x, batch, w0, out0, null, null, null, null);
            if (w1 != null) apply(x, batch, w1, out1, null, null, null, null);
            if (w2 != null) apply(x, batch, w2, out2, null, null, null, null);
            return;
        }
        // Conversion is O(batch·cols), the product O(rows·batch·cols): doing it per call keeps callers simple. It runs on
        // the team too: on the calling thread alone it was ~5% of a decoded token's time (the group kernels' repeated
        // pairs are 32 bytes per quant), with every other thread waiting.
        input = x;
        pool.run(convert, act.prepare(batch * w0.cols(), ActivationDots.vecDotType(w0.type())));
        input = null;
        this.cols = w0.cols();
        this.batch = batch;
        parts = 0;
        add(w0, out0);
        if (w1 != null) add(w1, out1);
        if (w2 != null) add(w2, out2);
        pool.run(this, start[parts]);
        for (int i = 0; i < parts; i++) {
            dots[i] = null;
            data[i] = null;
            outs[i] = null;
        }
    }

    private static boolean fusable(Tensor a, Tensor b) {
        return b == null || (a.cols() == b.cols() && ActivationDots.vecDotType(a.type()) == ActivationDots.vecDotType(b.type()));
    }

    private void add(Tensor w, float[] out) {
        int i = parts++;
        boolean grouped = w.groups() != null;
        dots[i] = grouped ? ActivationDots.ofGroups(w.type()) : ActivationDots.of(w.type());
        data[i] = w.data();
        rowBytes[i] = w.rowBytes();
        rows[i] = w.rows();
        outs[i] = out;
        // A repacked matrix is split in whole groups: its pool indices are groups, not rows.
        units[i] = grouped ? RowGroups.ROWS : 1;
        start[i + 1] = start[i] + w.rows() / units[i];
    }

    @Override
    public void run(int from, int to) {
        QuantizedVector a = act;
        int c = cols, n = batch;
        for (int i = 0; i < parts && from < to; i++) {
            int lo = Math.max(from, start[i]), hi = Math.min(to, start[i + 1]);
            if (lo >= hi) continue;
            ActivationDot d = dots[i];
            MemorySegment m = data[i];
            float[] o = outs[i];
            long rb = rowBytes[i];
            int u = units[i], nr = rows[i];
            int r1 = (hi - start[i]) * u;
            for (int r0 = (lo - start[i]) * u; r0 < r1; r0 += ROW_TILE) {
                d.dotTile(m, r0 * rb, rb, Math.min(r1, r0 + ROW_TILE) - r0, a, 0, n, c, o, r0, nr);
            }
        }
    }
}
