package dev.loupe.train.nn;

/** h = silu(g) * u, with silu(g) = g / (1 + e^-g) computed as the engine computes it. */
final class SwiGlu {
    private SwiGlu() {}

    static void forward(float[] h, float[] g, float[] u, int n) {
        for (int i = 0; i < n; i++) h[i] = g[i] / (1.0f + (float) Math.exp(-g[i])) * u[i];
    }

    /** dg = dh * u * silu'(g), du = dh * silu(g) (overwritten); silu'(g) = sig(g) (1 + g (1 - sig(g))). */
    static void backward(float[] dg, float[] du, float[] dh, float[] g, float[] u, int n) {
        for (int i = 0; i < n; i++) {
            float sig = 1.0f / (1.0f + (float) Math.exp(-g[i]));
            du[i] = dh[i] * g[i] * sig;
            dg[i] = dh[i] * u[i] * sig * (1f + g[i] * (1f - sig));
        }
    }
}
