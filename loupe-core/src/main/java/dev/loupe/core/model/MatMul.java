package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Tensor;

/**
 * out[b] = W · x[b] for a batch of input rows, weight rows split across the pool. The weight row is the
 * outer loop, so each row is read from memory once for the whole batch: decoding many sequences (or
 * prefilling many tokens) costs little more weight traffic than one. Inputs and outputs are flat,
 * row-major: x[b * cols + i], out[b * rows + r]. One instance per forward engine; it is its own task.
 */
final class MatMul implements RangeTask {
    private final ThreadPool pool;
    private Tensor w;
    private float[] x;
    private float[] out;
    private int batch;

    MatMul(ThreadPool pool) {
        this.pool = pool;
    }

    void apply(Tensor w, float[] x, int batch, float[] out) {
        this.w = w;
        this.x = x;
        this.out = out;
        this.batch = batch;
        pool.run(this, w.rows());
        this.w = null;
        this.x = null;
        this.out = null;
    }

    @Override
    public void run(int from, int to) {
        Tensor t = w;
        float[] in = x, o = out;
        int cols = t.cols(), rows = t.rows(), n = batch;
        for (int r = from; r < to; r++) {
            for (int b = 0; b < n; b++) o[b * rows + r] = t.dotRow(r, in, b * cols);
        }
    }
}
