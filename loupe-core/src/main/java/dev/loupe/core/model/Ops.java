package dev.loupe.core.model;

/** The small vector operations of the forward pass, each written to follow ggml's arithmetic. */
final class Ops {
    private Ops() {}

    /** dst = x / rms(x) * w over [off, off+n); the sum of squares in double as ggml_rms_norm does. */
    static void rmsnorm(float[] dst, int dstOff, float[] x, int off, float[] w, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            sum += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt((float) (sum / n) + eps));
        for (int i = 0; i < n; i++) dst[dstOff + i] = x[off + i] * scale * w[i];
    }

    static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) x[i] += y[i];
    }

    static void addBias(float[] x, float[] bias) {
        if (bias == null) return;
        for (int i = 0; i < bias.length; i++) x[i] += bias[i];
    }

    /** cap * tanh(x / cap): Gemma2's soft-capping of scores and logits. */
    static void softcap(float[] x, int off, int n, float cap) {
        for (int i = 0; i < n; i++) x[off + i] = cap * (float) Math.tanh(x[off + i] / cap);
    }

    /** Rounds to half precision in place: llama.cpp stores K/V in F16 and feeds F16 operands to its F16 matmuls. */
    static void roundToHalf(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) x[off + i] = Float.float16ToFloat(Float.floatToFloat16(x[off + i]));
    }

    /** In-place softmax over [off, off+n); see {@link Softmax#inPlace}. */
    static void softmax(float[] x, int off, int n) {
        Softmax.inPlace(x, off, n);
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }
}
