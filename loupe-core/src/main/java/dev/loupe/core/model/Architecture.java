package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

import java.util.Map;
import java.util.TreeMap;

/**
 * What distinguishes one Llama-family architecture from another, as data. The forward pass reads these
 * flags instead of branching on architecture names, so a new family is a new row here, not new code.
 *
 * @param name              the {@code general.architecture} value
 * @param rope              how RoPE pairs dimensions
 * @param activation        the FFN gate nonlinearity
 * @param qkNorm            per-head RMSNorm on Q and K before RoPE (Qwen3, Gemma3)
 * @param postNorms         extra RMSNorms after attention and after the FFN, before the residual add (Gemma2/3)
 * @param scaleEmbeddings   multiply the token embedding by sqrt(dim) (Gemma)
 * @param fusedQkv          one {@code attn_qkv} tensor instead of three (Phi-3)
 * @param fusedGateUp       {@code ffn_up} holds gate and up stacked (Phi-3)
 */
public record Architecture(String name, RopeStyle rope, Activation activation, boolean qkNorm, boolean postNorms,
                           boolean scaleEmbeddings, boolean fusedQkv, boolean fusedGateUp) {

    private static final Map<String, Architecture> KNOWN = new TreeMap<>();

    static {
        add(new Architecture("llama", RopeStyle.NORMAL, Activation.SILU, false, false, false, false, false));
        add(new Architecture("mistral", RopeStyle.NORMAL, Activation.SILU, false, false, false, false, false));
        add(new Architecture("qwen2", RopeStyle.NEOX, Activation.SILU, false, false, false, false, false));
        add(new Architecture("qwen3", RopeStyle.NEOX, Activation.SILU, true, false, false, false, false));
        add(new Architecture("phi3", RopeStyle.NEOX, Activation.SILU, false, false, false, true, true));
        add(new Architecture("gemma2", RopeStyle.NEOX, Activation.GELU_TANH, false, true, true, false, false));
    }

    private static void add(Architecture a) {
        KNOWN.put(a.name, a);
    }

    public static Architecture of(String name) {
        Architecture a = KNOWN.get(name);
        if (a == null) {
            throw new LoupeException("architecture '" + name + "' is not supported (supported: " + String.join(", ", KNOWN.keySet()) + ")");
        }
        return a;
    }
}
