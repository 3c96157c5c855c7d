package dev.loupe.train.nn;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;

import java.util.Arrays;

/**
 * Cross-entropy of logits [n][V] against targets, and its gradient (softmax - onehot) * scale written over
 * the logits in place (llm.c's trick: the logits are the largest activation and are not needed afterwards).
 *
 * <p>A target below 0 ({@link #IGNORE}) masks its row, as PyTorch's {@code ignore_index}: the row adds nothing to
 * the loss, its gradient is 0, and the mean is over the unmasked rows only. Fine-tuning masks everything but the
 * assistant's tokens this way, and padding at the end of a short sequence.
 */
final class CrossEntropy {
    /** Target of a row that does not count. */
    static final int IGNORE = -1;

    private final ThreadPool pool;
    private final double[] rowLoss;
    private float[] logits;
    private int[] targets;
    private float[] rowScale;
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
            int t = targets[r];
            if (t < 0) {
                rowLoss[r] = 0;
                if (grad) Arrays.fill(logits, o, o + V, 0f);
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) max = Math.max(max, logits[o + i]);
            double sum = 0;
            for (int i = 0; i < V; i++) sum += Math.exp(logits[o + i] - max);
            rowLoss[r] = Math.log(sum) - (logits[o + t] - max);
            if (grad) {
                float scale = rowScale != null ? rowScale[r] : gradScale;
                double inv = 1.0 / sum;
                for (int i = 0; i < V; i++) logits[o + i] = (float) (Math.exp(logits[o + i] - max) * inv) * scale;
                logits[o + t] -= scale;
            }
        }
    }

    /**
     * Returns the mean loss over the unmasked rows (summed in a fixed order, so it does not depend on the thread
     * count; NaN when every row is masked). With {@code grad}, replaces the logits of each unmasked row by
     * d(row loss)/d(logits) * {@code gradScale}.
     */
    double run(float[] logits, int[] targets, int n, int V, boolean grad, float gradScale) {
        return run(logits, targets, n, V, grad, gradScale, null);
    }

    /** As {@link #run(float[], int[], int, int, boolean, float)}, with a gradient scale of its own for each row. */
    double run(float[] logits, int[] targets, int n, int V, float[] rowScale) {
        return run(logits, targets, n, V, true, 0f, rowScale);
    }

    private double run(float[] logits, int[] targets, int n, int V, boolean grad, float gradScale, float[] rowScale) {
        this.logits = logits;
        this.targets = targets;
        this.V = V;
        this.grad = grad;
        this.gradScale = gradScale;
        this.rowScale = rowScale;
        pool.run(rows, n);
        this.logits = null;
        this.targets = null;
        this.rowScale = null;
        double total = 0;
        int counted = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] < 0) continue;
            total += rowLoss[r];
            counted++;
        }
        return counted == 0 ? Double.NaN : total / counted;
    }

    /** The loss of row {@code r} in the last run (0 for a masked row). */
    double rowLoss(int r) {
        return rowLoss[r];
    }

    /** Rows of {@code targets[0..n)} that count. */
    static int counted(int[] targets, int n) {
        int c = 0;
        for (int r = 0; r < n; r++) if (targets[r] >= 0) c++;
        return c;
    }
}
