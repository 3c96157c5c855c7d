package dev.loupe.lens.sae;

import dev.loupe.core.LoupeException;

import java.util.Random;

/**
 * A sparse autoencoder over d-dimensional activations with m features (Bricken et al. 2023, Gao et al. 2024):
 * {@code f = act(W_enc (x - b_dec) + b_enc)}, {@code x̂ = W_dec f + b_dec}. {@code act} is ReLU, or ReLU of the
 * {@code topK} largest pre-activations when {@code topK > 0}. Parameters live in one flat array so the optimiser
 * treats them alike; decoder columns (one feature's direction) are stored as contiguous rows of {@code d} floats
 * and kept unit-norm, so the L1 penalty on f cannot be dodged by shrinking f and growing the decoder.
 */
public final class SparseAutoencoder {
    private final int d, m, topK;
    /** [W_enc m×d | b_enc m | W_dec m×d (row i = feature i's direction) | b_dec d]. */
    private final float[] params;

    public SparseAutoencoder(int d, int m, int topK) {
        if (d <= 0 || m <= 0) throw new LoupeException("an SAE needs positive sizes, got d=" + d + " m=" + m);
        if (topK < 0 || topK > m) throw new LoupeException("top-k " + topK + " must be in [0, " + m + "]");
        this.d = d;
        this.m = m;
        this.topK = topK;
        this.params = new float[2 * m * d + m + d];
    }

    public static SparseAutoencoder fromParams(int d, int m, int topK, float[] params) {
        SparseAutoencoder s = new SparseAutoencoder(d, m, topK);
        if (params.length != s.params.length) throw new LoupeException("SAE parameters have " + params.length + " values, expected " + s.params.length);
        System.arraycopy(params, 0, s.params, 0, params.length);
        return s;
    }

    /** Random unit decoder directions, encoder initialised to the decoder's transpose (as SAELens does). */
    public static SparseAutoencoder random(int d, int m, int topK, long seed) {
        SparseAutoencoder s = new SparseAutoencoder(d, m, topK);
        Random r = new Random(seed);
        for (int i = 0; i < m * d; i++) s.params[s.wDec() + i] = (float) r.nextGaussian();
        s.normalizeDecoder();
        System.arraycopy(s.params, s.wDec(), s.params, 0, m * d);
        return s;
    }

    public int inputDim() { return d; }

    public int features() { return m; }

    public int topK() { return topK; }

    /** The live parameter array (see the class comment for the layout). */
    public float[] params() { return params; }

    int wEnc() { return 0; }

    int bEnc() { return m * d; }

    int wDec() { return m * d + m; }

    int bDec() { return 2 * m * d + m; }

    /** Feature i's decoder direction (a copy). */
    public float[] direction(int i) {
        float[] v = new float[d];
        System.arraycopy(params, wDec() + i * d, v, 0, d);
        return v;
    }

    public void normalizeDecoder() {
        for (int i = 0; i < m; i++) {
            int o = wDec() + i * d;
            double n = 0;
            for (int j = 0; j < d; j++) n += (double) params[o + j] * params[o + j];
            float inv = n > 0 ? (float) (1 / Math.sqrt(n)) : 0f;
            for (int j = 0; j < d; j++) params[o + j] *= inv;
        }
    }

    /** Feature activations of x (at {@code xo}) into {@code f}; {@code pre} receives the pre-activations. */
    public void encode(float[] x, int xo, float[] pre, float[] f) {
        int we = wEnc(), be = bEnc(), bd = bDec();
        for (int i = 0; i < m; i++) {
            double s = params[be + i];
            int o = we + i * d;
            for (int j = 0; j < d; j++) s += params[o + j] * (x[xo + j] - params[bd + j]);
            pre[i] = (float) s;
            f[i] = s > 0 ? (float) s : 0f;
        }
        if (topK > 0 && topK < m) keepTopK(f);
    }

    /** Zeroes all but the topK largest entries (ties broken by index), in place without allocating. */
    private void keepTopK(float[] f) {
        float threshold = kthLargest(f);
        int kept = 0;
        for (int i = 0; i < m; i++) {
            if (f[i] > threshold) kept++;
        }
        for (int i = 0; i < m; i++) {
            if (f[i] > threshold) continue;
            if (f[i] == threshold && kept < topK) kept++;
            else f[i] = 0f;
        }
    }

    private float kthLargest(float[] f) {
        // m is small (thousands at most) and k smaller: k passes of a max below the previous bound.
        float bound = Float.POSITIVE_INFINITY, best = 0;
        int taken = 0;
        while (taken < topK) {
            best = Float.NEGATIVE_INFINITY;
            int count = 0;
            for (int i = 0; i < m; i++) {
                if (f[i] < bound && f[i] > best) {
                    best = f[i];
                    count = 1;
                } else if (f[i] == best) count++;
            }
            if (best == Float.NEGATIVE_INFINITY) return 0f;
            taken += count;
            bound = best;
        }
        return best;
    }

    /** x̂ = W_dec f + b_dec into {@code out} at {@code oo}. */
    public void decode(float[] f, float[] out, int oo) {
        int wd = wDec(), bd = bDec();
        for (int j = 0; j < d; j++) out[oo + j] = params[bd + j];
        for (int i = 0; i < m; i++) {
            float fi = f[i];
            if (fi == 0f) continue;
            int o = wd + i * d;
            for (int j = 0; j < d; j++) out[oo + j] += fi * params[o + j];
        }
    }

    /** Replaces each of {@code rows} rows of width d in {@code x} by its reconstruction. */
    public void reconstructInPlace(float[] x, int rows) {
        float[] pre = new float[m], f = new float[m];
        for (int r = 0; r < rows; r++) {
            encode(x, r * d, pre, f);
            decode(f, x, r * d);
        }
    }
}
