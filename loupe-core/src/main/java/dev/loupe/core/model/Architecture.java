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
 * @param fusedGateUp       {@code ffn_up} holds gate and up stacked (Phi-3)
 * @param swaPattern        sliding-window attention every layer {@code l} with {@code l % swaPattern < swaPattern - 1}
 *                          (llama.cpp's rule; Gemma2 alternates with 2); 0 when the architecture has none
 * @param swaDefault        window used when the file does not give {@code attention.sliding_window}
 */
public record Architecture(String name, RopeStyle rope, Activation activation, boolean qkNorm, boolean postNorms,
                           boolean scaleEmbeddings, boolean fusedGateUp, int swaPattern, int swaDefault) {

    private static final Map<String, Architecture> KNOWN = new TreeMap<>();

    static {
        add(new Architecture("llama", RopeStyle.NORMAL, Activation.SILU, false, false, false, false, 0, 0));
        add(new Architecture("mistral", RopeStyle.NORMAL, Activation.SILU, false, false, false, false, 0, 0));
        add(new Architecture("qwen2", RopeStyle.NEOX, Activation.SILU, false, false, false, false, 0, 0));
        add(new Architecture("qwen3", RopeStyle.NEOX, Activation.SILU, true, false, false, false, 0, 0));
        add(new Architecture("phi3", RopeStyle.NEOX, Activation.SILU, false, false, false, true, 0, 0));
        add(new Architecture("gemma2", RopeStyle.NEOX, Activation.GELU_TANH, false, true, true, false, 2, 4096));
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
