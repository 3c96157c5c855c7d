package dev.loupe.core.model;

/**
 * Rotary position embedding. The angle table for one position is built once per token and applied to
 * every head of every layer. Angles follow ggml_rope_cache_init: theta_i = pos * base^(-2i/d),
 * computed by repeated multiplication in float, divided by rope_freqs factors, then scaled for context
 * extension as rope_yarn does (see {@link RopeScaling}): linearly, from an NTK-raised base, or YaRN's
 * per-pair ramp between interpolated and extrapolated angles with cos/sin scaled by its magnitude.
 */
final class Rope {
    private final RopeStyle style;
    private final int ropeDim;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;
    /** YaRN: extrapolation mix (0 turns the ramp off), the ramp's pair range, and the cos/sin magnitude. */
    private final float extFactor;
    private final float rampLow, rampHigh;
    private final float magnitude;
    private final float[] cos;
    private final float[] sin;

    Rope(ModelConfig c, float[] freqFactors) {
        this.style = c.arch().rope();
        this.ropeDim = c.ropeDim();
        RopeScaling scaling = c.ropeScaling();
        float base = scaling.base(c.ropeTheta(), ropeDim);
        this.thetaScale = (float) Math.pow(base, -2.0 / ropeDim);
        this.freqScale = scaling.freqScale();
        this.freqFactors = freqFactors;
        this.extFactor = scaling.effectiveExtFactor();
        float[] corr = extFactor != 0f ? scaling.correctionDims(ropeDim, base) : new float[2];
        this.rampLow = corr[0];
        this.rampHigh = corr[1];
        this.magnitude = scaling.magnitude();
        this.cos = new float[ropeDim / 2];
        this.sin = new float[ropeDim / 2];
    }

    void setPosition(int pos) {
        setAngles(pos, magnitude);
    }

    /**
     * Sets the rotation that moves a key already rotated for position p to position p + {@code delta} (negative to move
     * it back), for re-positioning cached keys when a context policy evicts. Every angle here is linear in the position
     * (linear, NTK and YaRN scaling included), so R(p + d) = R(d) R(p); the magnitude is left out because the cached key
     * carries it already. (llama.cpp's K-shift passes YaRN's attention factor again, scaling a shifted key a second
     * time; with magnitude 1 a shifted key equals the key computed at its new position.)
     */
    void setShift(int delta) {
        setAngles(delta, 1f);
    }

    private void setAngles(int pos, float magnitude) {
        float theta = pos;
        for (int i = 0; i < ropeDim / 2; i++) {
            float ff = freqFactors != null ? freqFactors[i] : 1f;
            float extrapolated = theta / ff;
            float t = freqScale * extrapolated;
            if (extFactor != 0f) {
                float mix = ramp(i) * extFactor;
                t = t * (1 - mix) + extrapolated * mix;
            }
            cos[i] = (float) Math.cos(t) * magnitude;
            sin[i] = (float) Math.sin(t) * magnitude;
            theta *= thetaScale;
        }
    }

    /** YaRN's ramp over pair index i: 1 (extrapolate) below rampLow, 0 (interpolate) above rampHigh, linear between. */
    private float ramp(int i) {
        float y = (i - rampLow) / Math.max(0.001f, rampHigh - rampLow);
        return 1 - Math.min(1, Math.max(0, y));
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
