package dev.loupe.core.hook;

/**
 * Where in the forward pass a hook can run, named as TransformerLens names it. Per-layer sites are called
 * {@code blocks.{L}.<suffix>}; the model-wide ones ({@link #EMBED}, {@link #LN_FINAL}, {@link #LOGITS}) are just
 * their suffix. The order is the order the forward pass reaches them within a layer.
 */
public enum HookSite {
    /** Token embedding (after Gemma's sqrt(dim) scaling): [pos, d_model]. */
    EMBED("hook_embed", false),
    /** Residual stream entering the block: [pos, d_model]. */
    RESID_PRE("hook_resid_pre", true),
    /** RMSNorm output feeding attention: [pos, d_model]. */
    LN1("ln1.hook_normalized", true),
    /** Queries before RoPE (after bias and Q-norm): [pos, head, d_head]. */
    ATTN_Q("attn.hook_q", true),
    /** Keys before RoPE: [pos, kv_head, d_head]. */
    ATTN_K("attn.hook_k", true),
    /** Values: [pos, kv_head, d_head]. */
    ATTN_V("attn.hook_v", true),
    /** Queries after RoPE: [pos, head, d_head]. */
    ATTN_ROT_Q("attn.hook_rot_q", true),
    /** Keys after RoPE, as they go into the KV cache: [pos, kv_head, d_head]. */
    ATTN_ROT_K("attn.hook_rot_k", true),
    /** Attention probabilities: [pos, head, key_pos] (key positions after the query's are 0). */
    ATTN_PATTERN("attn.hook_pattern", true),
    /** Per-head attention output before W_O: [pos, head, d_head]. */
    ATTN_Z("attn.hook_z", true),
    /** Attention block output added to the residual (after W_O and any post-norm): [pos, d_model]. */
    ATTN_OUT("hook_attn_out", true),
    /** Residual stream between attention and MLP: [pos, d_model]. */
    RESID_MID("hook_resid_mid", true),
    /** RMSNorm output feeding the MLP: [pos, d_model]. */
    LN2("ln2.hook_normalized", true),
    /** Gate projection before the nonlinearity: [pos, d_mlp]. */
    MLP_PRE("mlp.hook_pre", true),
    /** Up projection (the linear half of the gated MLP): [pos, d_mlp]. */
    MLP_PRE_LINEAR("mlp.hook_pre_linear", true),
    /** act(gate) * up, the neuron activations fed to W_down: [pos, d_mlp]. */
    MLP_POST("mlp.hook_post", true),
    /** MLP block output added to the residual: [pos, d_model]. */
    MLP_OUT("hook_mlp_out", true),
    /** Residual stream leaving the block: [pos, d_model]. */
    RESID_POST("hook_resid_post", true),
    /** Final RMSNorm output of the rows that get logits: [pos, d_model]. */
    LN_FINAL("ln_final.hook_normalized", false),
    /** Output logits of the rows that get logits: [pos, d_vocab]. */
    LOGITS("hook_logits", false);

    private final String suffix;
    private final boolean perLayer;

    HookSite(String suffix, boolean perLayer) {
        this.suffix = suffix;
        this.perLayer = perLayer;
    }

    public String suffix() {
        return suffix;
    }

    public boolean perLayer() {
        return perLayer;
    }
}
