package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.Tensor;

/**
 * All weights of a model, bound to tensors by llama.cpp's GGUF names. Fused tensors (Phi-3's
 * {@code attn_qkv}, stacked gate/up) are split here into row views so the forward pass never knows.
 *
 * @param ropeFreqs per-dimension-pair divisors of the RoPE frequency (Llama 3.1+ {@code rope_freqs}), or null
 */
public record Weights(Tensor tokenEmbedding, LayerWeights[] layers, float[] outputNorm, Tensor output, float[] ropeFreqs) {

    public static Weights load(GgufFile f, ModelConfig c) {
        try (Regrouper g = new Regrouper(f)) {
            Weights w = load(f, c, g);
            g.keep();
            return w;
        }
    }

    /** With the matrices repacked by {@code g} (the caller marks it kept and closes it: that commits a cache it writes). */
    static Weights load(GgufFile f, ModelConfig c, Regrouper g) {
        Architecture a = c.arch();
        LayerWeights[] layers = new LayerWeights[c.layers()];
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            Tensor wq, wk, wv;
            if (f.hasTensor(b + "attn_qkv.weight")) {
                Tensor qkv = g.apply(matrix(f, b + "attn_qkv.weight", c.dim(), c.qDim() + c.kvDim() + c.vDim()), c.qDim(), c.qDim() + c.kvDim());
                wq = qkv.rowSlice(0, c.qDim());
                wk = qkv.rowSlice(c.qDim(), c.kvDim());
                wv = qkv.rowSlice(c.qDim() + c.kvDim(), c.vDim());
            } else {
                wq = g.apply(matrix(f, b + "attn_q.weight", c.dim(), c.qDim()));
                wk = g.apply(matrix(f, b + "attn_k.weight", c.dim(), c.kvDim()));
                wv = g.apply(matrix(f, b + "attn_v.weight", c.dim(), c.vDim()));
            }
            Tensor gate, up;
            if (a.fusedGateUp()) {
                Tensor gu = g.apply(matrix(f, b + "ffn_up.weight", c.dim(), 2 * c.ffnDim()), c.ffnDim());
                gate = gu.rowSlice(0, c.ffnDim());
                up = gu.rowSlice(c.ffnDim(), c.ffnDim());
            } else {
                gate = g.apply(matrix(f, b + "ffn_gate.weight", c.dim(), c.ffnDim()));
                up = g.apply(matrix(f, b + "ffn_up.weight", c.dim(), c.ffnDim()));
            }
            layers[i] = new LayerWeights(
                    vector(f, b + "attn_norm.weight", c.dim()),
                    wq, wk, wv,
                    optionalVector(f, b + "attn_q.bias", c.qDim()),
                    optionalVector(f, b + "attn_k.bias", c.kvDim()),
                    optionalVector(f, b + "attn_v.bias", c.vDim()),
                    a.qkNorm() ? vector(f, b + "attn_q_norm.weight", c.headDim()) : null,
                    a.qkNorm() ? vector(f, b + "attn_k_norm.weight", c.headDim()) : null,
                    g.apply(matrix(f, b + "attn_output.weight", c.heads() * c.valueDim(), c.dim())),
                    a.postNorms() ? vector(f, b + "post_attention_norm.weight", c.dim()) : null,
                    vector(f, b + "ffn_norm.weight", c.dim()),
                    gate, up,
                    g.apply(matrix(f, b + "ffn_down.weight", c.ffnDim(), c.dim())),
                    a.postNorms() ? vector(f, b + "post_ffw_norm.weight", c.dim()) : null);
        }
        // Tied embeddings: no output.weight, the embedding matrix doubles as the output projection, and is then repacked
        // for it (a lookup decodes its one row from the group: Tensor.dequantizeRow).
        Tensor embd = matrix(f, "token_embd.weight", c.dim(), c.vocabSize());
        Tensor output;
        if (f.hasTensor("output.weight")) {
            output = g.apply(matrix(f, "output.weight", c.dim(), c.vocabSize()));
        } else {
            embd = g.apply(embd);
            output = embd;
        }
        float[] ropeFreqs = optionalVector(f, "rope_freqs.weight", c.ropeDim() / 2);
        return new Weights(embd, layers, vector(f, "output_norm.weight", c.dim()), output, ropeFreqs);
    }

    private static Tensor matrix(GgufFile f, String name, int cols, int rows) {
        TensorInfo t = f.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != cols || s[1] != rows) {
            throw new LoupeException("tensor '" + name + "' has shape " + java.util.Arrays.toString(s)
                    + " but the model's metadata implies [" + cols + ", " + rows + "]");
        }
        return Tensor.of(f, t);
    }

    private static float[] vector(GgufFile f, String name, int n) {
        TensorInfo t = f.tensor(name);
        if (t.elementCount() != n) {
            throw new LoupeException("tensor '" + name + "' has " + t.elementCount() + " values, expected " + n);
        }
        return Tensor.of(f, t).toFloatArray();
    }

    private static float[] optionalVector(GgufFile f, String name, int n) {
        return f.hasTensor(name) ? vector(f, name, n) : null;
    }
}
