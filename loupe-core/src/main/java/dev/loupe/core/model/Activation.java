package dev.loupe.core.model;

/** The gate nonlinearity of the gated feed-forward block. */
public enum Activation {
    /** x * sigmoid(x): Llama, Qwen, Mistral, Phi-3. */
    SILU,
    /** GELU, tanh approximation as ggml computes it: Gemma. */
    GELU_TANH;

    public float apply(float x) {
        return switch (this) {
            case SILU -> x / (1.0f + (float) Math.exp(-x));
            case GELU_TANH -> {
                // ggml: 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))
                float c = 0.7978845608028654f;
                yield 0.5f * x * (1.0f + (float) Math.tanh(c * x * (1.0f + 0.044715f * x * x)));
            }
        };
    }
}
