package dev.loupe.core.model;

/**
 * The orthonormal Walsh-Hadamard rotation llama.cpp applies around a quantized KV cache (llama-kv-cache.cpp,
 * {@code attn_rot_k}/{@code attn_rot_v}, PR 21038): rotating Q and K alike leaves every Q·K unchanged but spreads an
 * outlier channel over the whole chunk, so a 32-value quantization block loses less; V is rotated before it is stored
 * and the attention output rotated back (the matrix is symmetric and its own inverse).
 * <p>
 * Computed as ggml-cpu's {@code ggml_compute_forward_fwht} does (ops.cpp): each value scaled by 1/sqrt(n) first, then
 * the in-place butterflies (u + v, u - v) for strides 1, 2, 4, ...; its vector passes do the same operations on the
 * same elements, so the results agree bit for bit. Allocation-free.
 */
final class Hadamard {
    private Hadamard() {}

    /** Rotates each of the {@code n / chunk} consecutive chunks of {@code x[off..off+n)} ({@code chunk} a power of two). */
    static void rotate(float[] x, int off, int n, int chunk) {
        float scale = 1.0f / (float) Math.sqrt(chunk);
        for (int c = off; c < off + n; c += chunk) {
            for (int j = c; j < c + chunk; j++) x[j] *= scale;
            for (int len = 1; len < chunk; len <<= 1) {
                for (int i = c; i < c + chunk; i += 2 * len) {
                    for (int j = i; j < i + len; j++) {
                        float u = x[j], v = x[j + len];
                        x[j] = u + v;
                        x[j + len] = u - v;
                    }
                }
            }
        }
    }
}
