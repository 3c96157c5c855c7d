package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.Metadata;

/**
 * The shape and numerics of a model, read from {@code {arch}.*} metadata as llama.cpp reads them.
 *
 * @param headDim          per-head size of Q and K ({@code attention.key_length}, default dim / heads)
 * @param valueDim         per-head size of V
 * @param ropeDim          leading dimensions of each head that RoPE rotates
 * @param ropeScaling      context extension of RoPE: linear, NTK-aware or YaRN ({@link RopeScaling#NONE} when unscaled)
 * @param attnScale        multiplier of Q·K (1/sqrt(headDim) unless the file says otherwise)
 * @param attnSoftcap      tanh soft-capping of attention scores, 0 for none (Gemma2)
 * @param finalSoftcap     tanh soft-capping of the output logits, 0 for none (Gemma2)
 * @param slidingWindow    window of local-attention layers, 0 for none (see {@link #isSlidingLayer})
 */
public record ModelConfig(Architecture arch, int dim, int layers, int heads, int kvHeads, int headDim, int valueDim,
                          int ffnDim, int vocabSize, int contextLength, float normEps, float ropeTheta, int ropeDim,
                          RopeScaling ropeScaling, float attnScale, float attnSoftcap, float finalSoftcap,
                          int slidingWindow) {

    public static ModelConfig fromMetadata(Metadata md, int vocabSize) {
        String name = md.getString("general.architecture");
        Architecture arch = Architecture.of(name);
        String p = name + ".";
        int dim = positive(md, p + "embedding_length");
        int layers = positive(md, p + "block_count");
        int heads = positive(md, p + "attention.head_count");
        int kvHeads = md.getInt(p + "attention.head_count_kv", heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new LoupeException("attention.head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
        }
        int headDim = md.getInt(p + "attention.key_length", dim / heads);
        int valueDim = md.getInt(p + "attention.value_length", headDim);
        int ffnDim = positive(md, p + "feed_forward_length");
        int ctx = md.getInt(p + "context_length", 2048);
        float eps = md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        float theta = md.getFloat(p + "rope.freq_base", 10000f);
        int ropeDim = md.getInt(p + "rope.dimension_count", headDim);
        if (ropeDim > headDim || ropeDim % 2 != 0) throw new LoupeException("rope.dimension_count " + ropeDim + " does not fit head size " + headDim);
        RopeScaling scaling = RopeScaling.fromMetadata(md, p, ctx);
        float attnScale = md.has(p + "attention.scale") ? md.getFloat(p + "attention.scale") : (float) (1.0 / Math.sqrt(headDim));
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, valueDim, ffnDim, vocabSize, ctx, eps, theta,
                ropeDim, scaling, attnScale, md.getFloat(p + "attn_logit_softcapping", 0f),
                md.getFloat(p + "final_logit_softcapping", 0f), arch.swaPattern() > 0 ? md.getInt(p + "attention.sliding_window", arch.swaDefault()) : 0);
    }

    /** The same model with RoPE scaled as {@code scaling} says instead of as its file says (the run's flags win). */
    public ModelConfig withRopeScaling(RopeScaling scaling) {
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, valueDim, ffnDim, vocabSize, contextLength, normEps,
                ropeTheta, ropeDim, scaling, attnScale, attnSoftcap, finalSoftcap, slidingWindow);
    }

    /** The multiplier of every RoPE angle (llama.cpp's freq_scale): 1 / the linear or YaRN factor, else 1. */
    public float ropeFreqScale() {
        return ropeScaling.freqScale();
    }

    private static int positive(Metadata md, String key) {
        int v = md.getInt(key);
        if (v <= 0) throw new LoupeException("metadata '" + key + "' must be positive, got " + v);
        return v;
    }

    /** Whether layer {@code l} attends only to the last {@link #slidingWindow} positions. */
    public boolean isSlidingLayer(int l) {
        int n = arch.swaPattern();
        return slidingWindow > 0 && n > 0 && l % n < n - 1;
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    public int vDim() {
        return kvHeads * valueDim;
    }
}
