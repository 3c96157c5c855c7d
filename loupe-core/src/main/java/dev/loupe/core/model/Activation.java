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
                // ggml's CPU GELU is a table indexed by the F16 input holding F16 outputs, clamped outside ±10;
                // mirroring it keeps Gemma's logits on llama.cpp's.
                if (x <= -10f) yield 0f;
                if (x >= 10f) yield x;
                float h = Float.float16ToFloat(Float.floatToFloat16(x));
                float c = 0.7978845608028654f;
                float g = 0.5f * h * (1.0f + (float) Math.tanh(c * h * (1.0f + 0.044715f * h * h)));
                yield Float.float16ToFloat(Float.floatToFloat16(g));
            }
        };
    }
}
