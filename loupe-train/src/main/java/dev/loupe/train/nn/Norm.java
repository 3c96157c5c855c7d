package dev.loupe.train.nn;

/**
 * RMSNorm y = x / rms(x) * w per row. The forward pass rounds exactly as the engine (and ggml) do — squares
 * summed in double, the mean rounded to float before adding eps — so exported models agree with training.
 */
final class Norm {
    private Norm() {}

    /** Rows [0, n) of width d; saves each row's 1/rms in {@code rstd} for the backward pass. */
    static void forward(float[] y, float[] rstd, float[] x, float[] w, int wOff, int n, int d, float eps) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            double sum = 0;
            for (int i = 0; i < d; i++) {
                float v = x[o + i];
                sum += v * v;
            }
            float s = (float) (1.0 / Math.sqrt((float) (sum / d) + eps));
            rstd[r] = s;
            for (int i = 0; i < d; i++) y[o + i] = x[o + i] * s * w[wOff + i];
        }
    }

    /**
     * dx += s (w*dy) - s^3/d * x * sum(w*dy*x); dw += dy * x * s. (s = 1/rms depends on x through the mean of
     * squares, which gives the second term.) {@code dw} null: the gains are frozen, only dx is wanted.
     */
    static void backward(float[] dx, float[] dw, int wOff, float[] dy, float[] x, float[] w, float[] rstd, int n, int d) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            float s = rstd[r];
            double dot = 0;
            for (int i = 0; i < d; i++) dot += (double) w[wOff + i] * dy[o + i] * x[o + i];
            float c = (float) (dot * s * s * s / d);
            for (int i = 0; i < d; i++) dx[o + i] += s * w[wOff + i] * dy[o + i] - c * x[o + i];
            if (dw != null) {
                for (int i = 0; i < d; i++) dw[wOff + i] += dy[o + i] * x[o + i] * s;
            }
        }
    }
}
