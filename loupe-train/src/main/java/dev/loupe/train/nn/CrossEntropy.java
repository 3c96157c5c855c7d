package dev.loupe.train.nn;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

/**
 * Mean cross-entropy of logits [n][V] against targets, and its gradient (softmax - onehot) * scale written over
 * the logits in place (llm.c's trick: the logits are the largest activation and are not needed afterwards).
 */
final class CrossEntropy {
    private final ThreadPool pool;
    private final double[] rowLoss;
    private float[] logits;
    private int[] targets;
    private int V;
    private float gradScale;
    private boolean grad;

    CrossEntropy(ThreadPool pool, int maxRows) {
        this.pool = pool;
        this.rowLoss = new double[maxRows];
    }

    private final RangeTask rows = this::rowsRange;

    private void rowsRange(int from, int to) {
        for (int r = from; r < to; r++) {
            int o = r * V;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) max = Math.max(max, logits[o + i]);
            double sum = 0;
            for (int i = 0; i < V; i++) sum += Math.exp(logits[o + i] - max);
            int t = targets[r];
            rowLoss[r] = Math.log(sum) - (logits[o + t] - max);
            if (grad) {
                double inv = 1.0 / sum;
                for (int i = 0; i < V; i++) logits[o + i] = (float) (Math.exp(logits[o + i] - max) * inv) * gradScale;
                logits[o + t] -= gradScale;
            }
        }
    }

    /**
     * Returns the mean loss over rows (summed in a fixed order, so it does not depend on the thread count). With
     * {@code grad}, replaces the logits by d(loss * n * gradScale / n)/d(logits), i.e. scaled by {@code gradScale} per row.
     */
    double run(float[] logits, int[] targets, int n, int V, boolean grad, float gradScale) {
        this.logits = logits;
        this.targets = targets;
        this.V = V;
        this.grad = grad;
        this.gradScale = gradScale;
        pool.run(rows, n);
        this.logits = null;
        this.targets = null;
        double total = 0;
        for (int r = 0; r < n; r++) total += rowLoss[r];
        return total / n;
    }
}
