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
 * (Q8_0/Q8_1/Q8_K for quantized weights, fp16/bf16-rounded for F16/BF16) — once, on the calling thread,
 * into a buffer reused across calls — and every row is then an integer (or float) dot against that. The
 * whole batch converts in one go: cols is a whole number of blocks, so no block straddles two inputs.
 *
 * <p>The rows are walked in tiles of {@link #ROW_TILE}, each handed whole to {@link ActivationDot#dotTile}:
 * every input of the batch is multiplied by the whole tile before the next tile starts. The tile's weights
 * (16 rows, 20–70 KB for 1B–8B shapes; unpacked to floats by the quantized kernels, 128 KB at 2048 columns) stay in
 * L2 while each converted input (a few KB) is read once per tile rather than once per row; row-by-row, a 512-token
 * prefill re-streams megabytes of activations from L3 for every weight row.
 */
final class MatMul implements RangeTask {
    private final ThreadPool pool;
    private final QuantizedVector act = new QuantizedVector();
    private ActivationDot dot;
    private MemorySegment data;
    private long rowBytes;
    private int cols;
    private int rows;
    private float[] out;
    private int batch;
    private int unit;

    MatMul(ThreadPool pool) {
        this.pool = pool;
    }

    void apply(Tensor w, float[] x, int batch, float[] out) {
        // Conversion is O(batch·cols), the product O(rows·batch·cols): doing it per call keeps callers simple.
        act.quantize(x, batch * w.cols(), ActivationDots.vecDotType(w.type()));
        boolean grouped = w.groups() != null;
        this.dot = grouped ? ActivationDots.ofGroups(w.type()) : ActivationDots.of(w.type());
        this.data = w.data();
        this.rowBytes = w.rowBytes();
        this.cols = w.cols();
        this.rows = w.rows();
        this.out = out;
        this.batch = batch;
        // A repacked matrix is split in whole groups: the pool's indices are then groups, not rows.
        this.unit = grouped ? RowGroups.ROWS : 1;
        pool.run(this, w.rows() / unit);
        this.dot = null;
        this.data = null;
        this.out = null;
    }

    static final int ROW_TILE = 16;

    @Override
    public void run(int from, int to) {
        ActivationDot d = dot;
        MemorySegment m = data;
        QuantizedVector a = act;
        float[] o = out;
        long rb = rowBytes;
        int c = cols, nr = rows, n = batch;
        from *= unit;
        to *= unit;
        for (int r0 = from; r0 < to; r0 += ROW_TILE) {
            d.dotTile(m, r0 * rb, rb, Math.min(to, r0 + ROW_TILE) - r0, a, 0, n, c, o, r0, nr);
        }
    }
}
