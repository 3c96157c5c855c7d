package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.core.tensor.act.ActivationDot;
import dev.loupe.core.tensor.act.ActivationDots;
import dev.loupe.core.tensor.act.QuantizedVector;

import java.lang.foreign.MemorySegment;

/**
 * out = W · x, rows split across the pool. As llama.cpp's CPU mul_mat does, x is first converted to the
 * weight type's vec_dot_type (Q8_0/Q8_1/Q8_K for quantized weights, fp16/bf16-rounded for F16/BF16) — once,
 * on the calling thread — and every row is then an integer (or float) dot against that one conversion.
 * One instance per session: it reuses itself as the task and its conversion buffer across calls.
 */
final class MatVec implements RangeTask {
    private final ThreadPool pool;
    private final QuantizedVector act = new QuantizedVector();
    private ActivationDot dot;
    private MemorySegment data;
    private long rowBytes;
    private int cols;
    private float[] out;

    MatVec(ThreadPool pool) {
        this.pool = pool;
    }

    void apply(Tensor w, float[] x, float[] out) {
        // Conversion is O(cols), the product O(rows·cols): doing it per call keeps this stateless for the caller.
        act.quantize(x, w.cols(), ActivationDots.vecDotType(w.type()));
        this.dot = ActivationDots.of(w.type());
        this.data = w.data();
        this.rowBytes = w.rowBytes();
        this.cols = w.cols();
        this.out = out;
        pool.run(this, w.rows());
        this.dot = null;
        this.data = null;
        this.out = null;
    }

    @Override
    public void run(int from, int to) {
        ActivationDot d = dot;
        MemorySegment m = data;
        QuantizedVector a = act;
        long rb = rowBytes;
        int n = cols;
        float[] o = out;
        for (int r = from; r < to; r++) o[r] = d.dot(m, r * rb, a, 0, n);
    }
}
