package dev.loupe.core.model;

import dev.loupe.core.tensor.Tensor;

/**
 * One transformer block's weights. Matrices stay views of the mapped file; the small vectors
 * (norms, biases) are decoded to float arrays once. Optional parts are null when the architecture
 * lacks them.
 */
public record LayerWeights(float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, float[] bq, float[] bk, float[] bv,
                           float[] qNorm, float[] kNorm, Tensor wo, float[] postAttnNorm,
                           float[] ffnNorm, Tensor gate, Tensor up, Tensor down, float[] postFfnNorm) {
}
