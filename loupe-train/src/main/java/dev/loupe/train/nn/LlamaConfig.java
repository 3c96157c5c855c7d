package dev.loupe.train.nn;

import dev.loupe.core.LoupeException;

/**
 * The shape of a trainable Llama: RMSNorm, RoPE (NORMAL pairing of neighbouring dimensions, as llama.cpp's
 * llama architecture), grouped-query attention, SwiGLU feed-forward, optionally tied output.
 *
 * @param contextLength the longest sequence trained on (and written as {@code llama.context_length})
 */
public record LlamaConfig(int vocab, int dim, int layers, int heads, int kvHeads, int ffnDim, int contextLength,
                          float ropeTheta, float normEps, boolean tiedOutput) {

    public LlamaConfig {
        if (vocab <= 0 || dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || contextLength <= 0) {
            throw new LoupeException("model shape sizes must be positive");
        }
        if (dim % heads != 0) throw new LoupeException("dim " + dim + " is not a multiple of heads " + heads);
        if (heads % kvHeads != 0) throw new LoupeException("heads " + heads + " is not a multiple of kv-heads " + kvHeads);
        if ((dim / heads) % 2 != 0) throw new LoupeException("head size " + dim / heads + " must be even for RoPE");
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /**
     * Parses "dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256[,theta=10000][,eps=1e-5][,tied=true]" for a
     * vocabulary of {@code vocab} tokens.
     */
    public static LlamaConfig parse(String spec, int vocab) {
        int dim = 0, layers = 0, heads = 0, kv = -1, ffn = 0, ctx = 0;
        float theta = 10000f, eps = 1e-5f;
        boolean tied = true;
        for (String part : spec.split(",")) {
            String[] kvp = part.trim().split("=", 2);
            if (kvp.length != 2) throw new LoupeException("bad --shape entry '" + part + "' (expected key=value)");
            String k = kvp[0].trim(), v = kvp[1].trim();
            try {
                switch (k) {
                    case "dim" -> dim = Integer.parseInt(v);
                    case "layers" -> layers = Integer.parseInt(v);
                    case "heads" -> heads = Integer.parseInt(v);
                    case "kv", "kv-heads" -> kv = Integer.parseInt(v);
                    case "ffn" -> ffn = Integer.parseInt(v);
                    case "ctx" -> ctx = Integer.parseInt(v);
                    case "theta" -> theta = Float.parseFloat(v);
                    case "eps" -> eps = Float.parseFloat(v);
                    case "tied" -> tied = Boolean.parseBoolean(v);
                    default -> throw new LoupeException("unknown --shape key '" + k + "' (dim, layers, heads, kv, ffn, ctx, theta, eps, tied)");
                }
            } catch (NumberFormatException e) {
                throw new LoupeException("bad number in --shape: " + part);
            }
        }
        return new LlamaConfig(vocab, dim, layers, heads, kv < 0 ? heads : kv, ffn, ctx, theta, eps, tied);
    }

    public String describe() {
        return "dim=" + dim + ",layers=" + layers + ",heads=" + heads + ",kv=" + kvHeads + ",ffn=" + ffnDim + ",ctx=" + contextLength
                + ",theta=" + ropeTheta + ",eps=" + normEps + ",tied=" + tiedOutput;
    }
}
