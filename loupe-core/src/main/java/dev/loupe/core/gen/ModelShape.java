package dev.loupe.core.gen;

import dev.loupe.core.LoupeException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a Llama-family model to generate. Presets copy the published configs of real models so
 * that benchmarks on random weights read as many bytes per token as the real thing.
 *
 * @param vocab 0 to take the vocabulary size from the tokenizer that is copied in
 */
public record ModelShape(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                         int vocab, int contextLength, float ropeTheta, float normEps, boolean tiedOutput) {

    private static final Map<String, ModelShape> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("tiny", new ModelShape("llama", 64, 2, 4, 2, 16, 192, 0, 512, 10000f, 1e-5f, false));
        PRESETS.put("tiny-gemma2", new ModelShape("gemma2", 64, 2, 4, 2, 16, 192, 0, 512, 10000f, 1e-6f, true));
        PRESETS.put("tiny-phi3", new ModelShape("phi3", 64, 2, 4, 4, 16, 192, 0, 512, 10000f, 1e-5f, false));
        PRESETS.put("smollm2-360m", new ModelShape("llama", 960, 32, 15, 5, 64, 2560, 0, 8192, 100000f, 1e-5f, true));
        PRESETS.put("qwen2.5-0.5b", new ModelShape("qwen2", 896, 24, 14, 2, 64, 4864, 0, 32768, 1000000f, 1e-6f, true));
        PRESETS.put("llama-3.2-1b", new ModelShape("llama", 2048, 16, 32, 8, 64, 8192, 0, 131072, 500000f, 1e-5f, true));
    }

    public static ModelShape preset(String name) {
        ModelShape s = PRESETS.get(name);
        if (s == null) throw new LoupeException("unknown shape '" + name + "' (known: " + String.join(", ", PRESETS.keySet()) + ")");
        return s;
    }

    public static Iterable<String> presetNames() {
        return PRESETS.keySet();
    }

    public ModelShape withVocab(int v) {
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffnDim, v, contextLength, ropeTheta, normEps, tiedOutput);
    }
}
