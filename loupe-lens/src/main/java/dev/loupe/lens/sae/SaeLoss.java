package dev.loupe.lens.sae;

/**
 * The training objective and its exact gradient, written out by hand (no autograd in Loupe):
 * {@code L = mean_b ( ||x̂_b - x_b||² + l1 · Σ_i f_bi )}. With r = x̂ - x and an active feature i (f_i > 0):
 * dL/dW_dec[i] = 2 r f_i, dL/db_dec = 2 r - Σ_i g_i W_enc[i], g_i = dL/dpre_i = 2 r·W_dec[i] + l1,
 * dL/dW_enc[i] = g_i (x - b_dec), dL/db_enc[i] = g_i. Inactive features pass no gradient (ReLU and TopK mask).
 * Scratch buffers are owned per instance so the loop allocates nothing.
 */
public final class SaeLoss {
    private final SparseAutoencoder sae;
    private final float[] pre, f, xhat, r;

    public SaeLoss(SparseAutoencoder sae) {
        this.sae = sae;
        this.pre = new float[sae.features()];
        this.f = new float[sae.features()];
        this.xhat = new float[sae.inputDim()];
        this.r = new float[sae.inputDim()];
    }

    /**
     * Loss over rows [from, to) of {@code x} (row width d); adds the gradient into {@code grad} (same layout as the
     * parameters) when it is non-null.
     */
    public double loss(float[] x, int from, int to, float l1, float[] grad) {
        int d = sae.inputDim(), m = sae.features();
        float[] p = sae.params();
        int we = sae.wEnc(), be = sae.bEnc(), wd = sae.wDec(), bd = sae.bDec();
        double total = 0;
        float scale = 1f / (to - from);
        for (int b = from; b < to; b++) {
            int xo = b * d;
            sae.encode(x, xo, pre, f);
            sae.decode(f, xhat, 0);
            double sq = 0, act = 0;
            for (int j = 0; j < d; j++) {
                r[j] = xhat[j] - x[xo + j];
                sq += (double) r[j] * r[j];
            }
            for (int i = 0; i < m; i++) act += f[i];
            total += sq + l1 * act;
            if (grad == null) continue;
            for (int j = 0; j < d; j++) grad[bd + j] += 2 * r[j] * scale;
            for (int i = 0; i < m; i++) {
                if (f[i] == 0f) continue;
                int o = wd + i * d;
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += r[j] * p[o + j];
                    grad[o + j] += 2 * r[j] * f[i] * scale;
                }
                float g = (float) ((2 * dot + l1) * scale);
                grad[be + i] += g;
                int e = we + i * d;
                for (int j = 0; j < d; j++) {
                    grad[e + j] += g * (x[xo + j] - p[bd + j]);
                    grad[bd + j] -= g * p[e + j];
                }
            }
        }
        return total / (to - from);
    }
}
