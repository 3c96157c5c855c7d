package dev.loupe.train.nn;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * y = x W^T for a batch of rows, and its backward pass. x: [n][in], W: [out][in] at {@code w[wOff..]}, y: [n][out].
 * Work is split so that every output element has one owner: the forward pass and dx by rows of x, dW by rows of
 * W (each thread walks the whole batch for its rows of dW), so nothing needs locking or a reduction.
 * The tasks are fields set per call, so a step allocates nothing.
 */
final class MatMul {
    private final ThreadPool pool;
    private float[] x, w, y, dy, dx, dw;
    private int wOff, n, in, out;

    MatMul(ThreadPool pool) {
        this.pool = pool;
    }

    private final RangeTask forwardRows = (from, to) -> {
        for (int r = from; r < to; r++) {
            int xo = r * in, yo = r * out;
            for (int o = 0; o < out; o++) y[yo + o] = Vec.dot(x, xo, w, wOff + o * in, in);
        }
    };

    private final RangeTask inputGradRows = (from, to) -> {
        for (int r = from; r < to; r++) {
            int go = r * out, xo = r * in;
            for (int o = 0; o < out; o++) {
                float g = dy[go + o];
                if (g != 0) Vec.axpy(dx, xo, g, w, wOff + o * in, in);
            }
        }
    };

    private final RangeTask weightGradRows = (from, to) -> {
        for (int o = from; o < to; o++) {
            int wo = wOff + o * in;
            for (int r = 0; r < n; r++) {
                float g = dy[r * out + o];
                if (g != 0) Vec.axpy(dw, wo, g, x, r * in, in);
            }
        }
    };

    void forward(float[] y, float[] x, float[] w, int wOff, int n, int in, int out) {
        set(x, w, wOff, n, in, out);
        this.y = y;
        pool.run(forwardRows, n);
        this.y = null;
    }

    /** dx += dy W; dw += dy^T x (dx may be null when the input needs no gradient). */
    void backward(float[] dx, float[] dw, float[] dy, float[] x, float[] w, int wOff, int n, int in, int out) {
        set(x, w, wOff, n, in, out);
        this.dy = dy;
        this.dw = dw;
        this.dx = dx;
        if (dx != null) pool.run(inputGradRows, n);
        pool.run(weightGradRows, out);
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
