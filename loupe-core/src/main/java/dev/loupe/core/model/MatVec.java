package dev.loupe.core.model;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Tensor;

/** out = W · x, rows split across the pool. One instance per session: it reuses itself as the task. */
final class MatVec implements RangeTask {
    private final ThreadPool pool;
    private Tensor w;
    private float[] x;
    private float[] out;

    MatVec(ThreadPool pool) {
        this.pool = pool;
    }

    void apply(Tensor w, float[] x, float[] out) {
        this.w = w;
        this.x = x;
        this.out = out;
        pool.run(this, w.rows());
        this.w = null;
        this.x = null;
        this.out = null;
    }

    @Override
    public void run(int from, int to) {
        Tensor t = w;
        float[] in = x;
        float[] o = out;
        for (int r = from; r < to; r++) o[r] = t.dotRow(r, in, 0);
    }
}
