package dev.loupe.train.nn;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * y = x W^T for a batch of rows, and its backward pass. x: [n][in], W: [out][in] at {@code w[wOff..]}, y: [n][out].
 * All three products run on the blocked {@link Gemm} kernel:
 * <ul>
 *   <li>forward y = x W^T: W is first transposed into a scratch [in][out] so the kernel streams rows of it;</li>
 *   <li>dx += dy W: W is already [out][in], row-major in the kernel's sense;</li>
 *   <li>dW += dy^T x: dy is read column-wise through the kernel's A strides, x row-major.</li>
 * </ul>
 * Threads split the rows of the output in tiles of {@link Gemm#MR}, so every output element has one owner and one
 * fixed summation order (results do not depend on the thread count). The tasks are fields set per call and the
 * scratch only grows, so after the first step a step allocates nothing.
 */
final class MatMul {
    private final ThreadPool pool;
    private float[] x, w, y, dy, dx, dw;
    private float[] wt = new float[0];
    private int wOff, n, in, out;
    private boolean engineOrder;

    MatMul(ThreadPool pool) {
        this.pool = pool;
    }

    private static int tiles(int rows) {
        return (rows + Gemm.MR - 1) / Gemm.MR;
    }

    private final RangeTask transposeW = (from, to) -> {
        for (int o = from; o < to; o++) {
            int src = wOff + o * in;
            for (int k = 0; k < in; k++) wt[k * out + o] = w[src + k];
        }
    };

    private final RangeTask forwardRows = (from, to) ->
            Gemm.rows(y, 0, out, x, 0, in, 1, wt, 0, out, from * Gemm.MR, Math.min(n, to * Gemm.MR), out, in, false);

    private final RangeTask inputGradRows = (from, to) ->
            Gemm.rows(dx, 0, in, dy, 0, out, 1, w, wOff, in, from * Gemm.MR, Math.min(n, to * Gemm.MR), in, out, true);

    private final RangeTask weightGradRows = (from, to) ->
            Gemm.rows(dw, wOff, in, dy, 0, 1, out, x, 0, in, from * Gemm.MR, Math.min(out, to * Gemm.MR), in, n, true);

    /**
     * The engine's order: one vector dot product per output (lane partial sums, then a lane reduction), exactly
     * as Loupe's inference kernel sums an F32 row, so a model compared with the engine gets bit-identical sums.
     * Several times slower than the blocked kernel; used only for that comparison.
     */
    private final RangeTask forwardDots = (from, to) -> {
        for (int r = from; r < to; r++) {
            int xo = r * in, yo = r * out;
            for (int o = 0; o < out; o++) y[yo + o] = Vec.dot(x, xo, w, wOff + o * in, in);
        }
    };

    /** From now on, forward passes sum each output in the inference engine's order ({@code true}, slow) or blocked. */
    void engineOrder(boolean on) {
        this.engineOrder = on;
    }

    void forward(float[] y, float[] x, float[] w, int wOff, int n, int in, int out) {
        set(x, w, wOff, n, in, out);
        if (engineOrder) {
            this.y = y;
            pool.run(forwardDots, n);
            this.y = null;
            return;
        }
        if (wt.length < in * out) wt = new float[in * out];
        pool.run(transposeW, out);
        this.y = y;
        pool.run(forwardRows, tiles(n));
        this.y = null;
    }

    /** dx += dy W; dw += dy^T x (either may be null: an input that needs no gradient, a frozen weight). */
    void backward(float[] dx, float[] dw, float[] dy, float[] x, float[] w, int wOff, int n, int in, int out) {
        set(x, w, wOff, n, in, out);
        this.dy = dy;
        this.dw = dw;
        this.dx = dx;
        if (dx != null) pool.run(inputGradRows, tiles(n));
        if (dw != null) pool.run(weightGradRows, tiles(out));
        this.dy = this.dx = this.dw = null;
    }

    private void set(float[] x, float[] w, int wOff, int n, int in, int out) {
        this.x = x;
        this.w = w;
        this.wOff = wOff;
        this.n = n;
        this.in = in;
        this.out = out;
    }
}
