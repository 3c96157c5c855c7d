package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.Metadata;

import java.util.Locale;

/**
 * How RoPE is stretched to run a model past the context it was trained on, as llama.cpp does it
 * ({@code llama_context} parameters, {@code ggml_rope_yarn_corr_dims}, {@code rope_yarn} in ggml-cpu):
 * <ul>
 *   <li>{@link Type#LINEAR} position interpolation (Chen et al. 2023): every angle divided by the factor s.</li>
 *   <li>{@link Type#NTK} NTK-aware scaling (bloc97 2023): positions untouched, the base raised to
 *       {@code base * s^(d/(d-2))}, so the fastest pair keeps its frequency and the slowest is divided by s.
 *       llama.cpp has no type for this; its users pass the raised base as {@code --rope-freq-base}.</li>
 *   <li>{@link Type#YARN} YaRN (Peng et al. 2023): per pair a ramp between interpolation (slow pairs, fewer than
 *       {@code betaSlow} turns over the original context) and extrapolation (fast pairs, more than
 *       {@code betaFast} turns), and cos/sin scaled by {@code 0.1 ln s + 1}, which scales attention logits by its square.</li>
 * </ul>
 *
 * @param factor          s, how many times longer the usable context becomes (1 for none)
 * @param originalContext the context the model was trained on (YaRN's ramp is measured against it)
 * @param extFactor       YaRN's extrapolation mix; negative means "1 for YaRN, 0 otherwise", as in llama.cpp
 * @param attnFactor      {@code rope.scaling.attn_factor}: multiplies the cos/sin magnitude (1 for none)
 * @param betaFast        YaRN: pairs turning more than this often over the original context extrapolate (32)
 * @param betaSlow        YaRN: pairs turning less than this often interpolate (1)
 * @param yarnLogMul      {@code rope.scaling.yarn_log_multiplier} (DeepSeek-style mscale_all_dim), 0 for none
 */
public record RopeScaling(Type type, float factor, int originalContext, float extFactor, float attnFactor,
                          float betaFast, float betaSlow, float yarnLogMul) {

    public enum Type {
        NONE, LINEAR, NTK, YARN;

        /** The type named by a flag or {@code rope.scaling.type}; a clear error for anything else. */
        public static Type parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "linear" -> LINEAR;
                case "ntk", "ntk-aware" -> NTK;
                case "yarn" -> YARN;
                default -> throw new LoupeException("rope scaling '" + name + "' is not supported (supported: none, linear, ntk, yarn)");
            };
        }
    }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0, -1f, 1f, 32f, 1f, 0f);

    public RopeScaling {
        if (!(factor > 0) || Float.isInfinite(factor)) throw new LoupeException("rope scaling factor must be positive, got " + factor);
        if (originalContext < 0) throw new LoupeException("rope scaling original context must not be negative, got " + originalContext);
    }

    /** {@code type} by {@code factor} over {@code originalContext} with llama.cpp's YaRN defaults. */
    public static RopeScaling of(Type type, float factor, int originalContext) {
        return new RopeScaling(type, factor, originalContext, -1f, 1f, 32f, 1f, 0f);
    }

    /**
     * The scaling a file asks for, read as llama.cpp reads it: {@code rope.scaling.type} (absent: linear if there is a
     * factor, else none), {@code .factor}
     * (0 or absent: 1; the old {@code rope.scale_linear} too), {@code .original_context_length} (absent: the training
     * context), {@code .attn_factor}, and the YaRN knobs {@code .yarn_ext_factor}, {@code .yarn_beta_fast},
     * {@code .yarn_beta_slow}, {@code .yarn_log_multiplier} (llama.cpp reads these only for the architectures whose
     * converters write them; a Llama file never has them, so reading them everywhere changes nothing).
     */
    public static RopeScaling fromMetadata(Metadata md, String prefix, int trainedContext) {
        String p = prefix + "rope.scaling.";
        float factor = md.getFloat(p + "factor", md.getFloat(prefix + "rope.scale_linear", 0f));
        if (factor == 0f) factor = 1f;
        // llama.cpp's default type is linear: a factor without a type scales linearly.
        Type type = Type.parse(md.getString(p + "type", factor != 1f ? "linear" : "none"));
        int orig = md.getInt(p + "original_context_length", trainedContext);
        return new RopeScaling(type, factor, orig, md.getFloat(p + "yarn_ext_factor", -1f), md.getFloat(p + "attn_factor", 1f),
                md.getFloat(p + "yarn_beta_fast", 32f), md.getFloat(p + "yarn_beta_slow", 1f), md.getFloat(p + "yarn_log_multiplier", 0f));
    }

    public boolean isNone() {
        return type == Type.NONE;
    }

    /** The multiplier of every position's angle (llama.cpp's freq_scale): 1/s for linear and YaRN, else 1. */
    public float freqScale() {
        return type == Type.LINEAR || type == Type.YARN ? 1f / factor : 1f;
    }

    /** The RoPE base after NTK-aware scaling: base * s^(d/(d-2)) for {@link Type#NTK}, else the base itself. */
    public float base(float base, int ropeDim) {
        if (type != Type.NTK) return base;
        return (float) (base * Math.pow(factor, ropeDim / (ropeDim - 2.0)));
    }

    /** YaRN's extrapolation mix as llama.cpp resolves it: the given one, else 1 for YaRN and 0 otherwise. */
    public float effectiveExtFactor() {
        if (extFactor >= 0f) return extFactor;
        return type == Type.YARN ? 1f : 0f;
    }

    /**
     * The magnitude every cos and sin is multiplied by. llama.cpp computes it in two places: the context sets
     * attn_factor = mscale(s) / (1 + 0.1 ln s) (with the log-multiplier variant), times {@code rope.scaling.attn_factor},
     * and rope_yarn multiplies by 1 + 0.1 ln(1/freq_scale) when the extrapolation mix is non-zero. Computed here in the
     * same float steps so the product rounds as llama.cpp's does.
     */
    public float magnitude() {
        float ext = effectiveExtFactor();
        float attn = 1f;
        if (ext != 0f) {
            float s = 1f / freqScale();
            if (yarnLogMul != 0f) attn = mscale(s, 1f) / mscale(s, yarnLogMul);
            else attn = mscale(s, 1f);
            attn *= 1.0f / (1.0f + 0.1f * (float) Math.log(s));
        }
        attn *= attnFactor;
        if (ext != 0f) attn *= 1.0f + 0.1f * (float) Math.log(1.0f / freqScale());
        return attn;
    }

    private static float mscale(float scale, float mscale) {
        return scale <= 1.0f ? 1.0f : 0.1f * mscale * (float) Math.log(scale) + 1.0f;
    }

    /**
     * YaRN's correction range [low, high] in dimension-pair indices, as ggml_rope_yarn_corr_dims: the pair that turns
     * {@code beta} times over the original context is d·ln(ctx/(2π·beta)) / (2 ln base); low is floored from betaFast,
     * high ceiled from betaSlow, both clamped to [0, d-1].
     */
    public float[] correctionDims(int ropeDim, float base) {
        int ctx = originalContext;
        float low = (float) Math.floor(corrDim(ropeDim, ctx, betaFast, base));
        float high = (float) Math.ceil(corrDim(ropeDim, ctx, betaSlow, base));
        return new float[]{Math.max(0f, low), Math.min(ropeDim - 1f, high)};
    }

    private static float corrDim(int ropeDim, int ctx, float turns, float base) {
        return ropeDim * (float) Math.log(ctx / (turns * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    /** The context a scaled model may run to by default: the original context times the factor (none: the trained one). */
    public int extendedContext(int trainedContext) {
        if (isNone() || factor <= 1f) return trainedContext;
        long ext = (long) Math.floor((originalContext > 0 ? originalContext : trainedContext) * (double) factor);
        return (int) Math.min(Integer.MAX_VALUE, ext);
    }

    @Override
    public String toString() {
        return isNone() ? "none" : type.name().toLowerCase(Locale.ROOT) + " x" + factor + " over " + originalContext;
    }
}
