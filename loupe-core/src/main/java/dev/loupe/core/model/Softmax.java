package dev.loupe.core.model;

/**
 * The softmax the engine's attention uses, public so the trainer's attention computes exactly the same numbers: a
 * model trained in loupe-train and run by the engine sees one function, and the trainer's loss matches the engine's.
 */
public final class Softmax {
    private Softmax() {}

    /** In-place softmax over [off, off+n) with max subtraction; sums in double like ggml_vec_soft_max. */
    public static void inPlace(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[off + i] *= inv;
    }
}
