package dev.loupe.train.nn;

/**
 * Rotary embeddings with NORMAL pairing (dimensions 2i and 2i+1 rotate together), llama.cpp's choice for the
 * llama architecture. Angles are built exactly as the engine builds them (ggml_rope_cache_init: theta multiplied
 * by base^(-2/d) repeatedly in float), so training and inference rotate by bit-identical cos/sin.
 * The backward pass is the rotation by the opposite angle (a rotation's transpose is its inverse).
 */
final class RopeTable {
    private final int half;
    private final float[] cos, sin;

    RopeTable(int maxPositions, int headDim, float base) {
        this.half = headDim / 2;
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        float thetaScale = (float) Math.pow(base, -2.0 / headDim);
        for (int p = 0; p < maxPositions; p++) {
            float theta = p;
            for (int i = 0; i < half; i++) {
                float t = 1f * (theta / 1f); // the engine's freqScale * (theta / freqFactor), both 1 here
                cos[p * half + i] = (float) Math.cos(t);
                sin[p * half + i] = (float) Math.sin(t);
                theta *= thetaScale;
            }
        }
    }

    /** Rotates {@code heads} heads of size 2*half at x[off..] for position {@code pos}; {@code sign} -1 is the inverse. */
    void rotate(float[] x, int off, int heads, int pos, float sign) {
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int base = off + h * 2 * half;
            for (int i = 0; i < half; i++) {
                float c = cos[t + i], s = sign * sin[t + i];
                int a = base + 2 * i;
                float x0 = x[a], x1 = x[a + 1];
                x[a] = x0 * c - x1 * s;
                x[a + 1] = x0 * s + x1 * c;
            }
        }
    }
}
