package dev.loupe.core.model;

/**
 * Rotary position embedding. The angle table for one position is built once per token and applied to
 * every head of every layer. Angles follow ggml_rope_cache_init: theta_i = pos * base^(-2i/d),
 * computed by repeated multiplication in float, divided by rope_freqs factors and scaled linearly.
 */
final class Rope {
    private final RopeStyle style;
    private final int ropeDim;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;
    private final float[] cos;
    private final float[] sin;

    Rope(ModelConfig c, float[] freqFactors) {
        this.style = c.arch().rope();
        this.ropeDim = c.ropeDim();
        this.thetaScale = (float) Math.pow(c.ropeTheta(), -2.0 / ropeDim);
        this.freqScale = c.ropeFreqScale();
        this.freqFactors = freqFactors;
        this.cos = new float[ropeDim / 2];
        this.sin = new float[ropeDim / 2];
    }

    void setPosition(int pos) {
        float theta = pos;
        for (int i = 0; i < ropeDim / 2; i++) {
            float ff = freqFactors != null ? freqFactors[i] : 1f;
            float t = freqScale * (theta / ff);
            cos[i] = (float) Math.cos(t);
            sin[i] = (float) Math.sin(t);
            theta *= thetaScale;
        }
    }

    /** Rotates {@code heads} consecutive heads of size {@code headDim} starting at x[off]. */
    void apply(float[] x, int off, int heads, int headDim) {
        int half = ropeDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                // NORMAL pairs neighbours; NEOX pairs dimension i with i + d/2.
                int a = style == RopeStyle.NORMAL ? base + 2 * i : base + i;
                int b = style == RopeStyle.NORMAL ? a + 1 : a + half;
                float x0 = x[a], x1 = x[b];
                x[a] = x0 * cos[i] - x1 * sin[i];
                x[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
