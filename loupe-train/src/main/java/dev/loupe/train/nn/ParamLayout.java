package dev.loupe.train.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where each tensor lives in the one flat parameter array (gradients and optimizer moments share the layout).
 * Matrices are row-major [rows][cols] with rows = outputs, exactly GGUF's layout for shape [cols, rows], so
 * export is a straight copy. Names are llama.cpp's tensor names.
 */
public final class ParamLayout {
    public enum Kind { EMBEDDING, MATRIX, NORM }

    public record Tensor(String name, Kind kind, int offset, int rows, int cols) {
        public int size() {
            return rows * cols;
        }
    }

    /** Offsets of one layer's tensors. */
    public record Layer(int attnNorm, int wq, int wk, int wv, int wo, int ffnNorm, int gate, int up, int down) {}

    private final List<Tensor> tensors = new ArrayList<>();
    private final Layer[] layers;
    public final int tokenEmbd, outputNorm, output;
    public final int size;

    public ParamLayout(LlamaConfig c) {
        int[] at = {0};
        tokenEmbd = add("token_embd.weight", Kind.EMBEDDING, c.vocab(), c.dim(), at);
        layers = new Layer[c.layers()];
        int q = c.dim(), kv = c.kvDim();
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            layers[l] = new Layer(
                    add(b + "attn_norm.weight", Kind.NORM, 1, c.dim(), at),
                    add(b + "attn_q.weight", Kind.MATRIX, q, c.dim(), at),
                    add(b + "attn_k.weight", Kind.MATRIX, kv, c.dim(), at),
                    add(b + "attn_v.weight", Kind.MATRIX, kv, c.dim(), at),
                    add(b + "attn_output.weight", Kind.MATRIX, c.dim(), q, at),
                    add(b + "ffn_norm.weight", Kind.NORM, 1, c.dim(), at),
                    add(b + "ffn_gate.weight", Kind.MATRIX, c.ffnDim(), c.dim(), at),
                    add(b + "ffn_up.weight", Kind.MATRIX, c.ffnDim(), c.dim(), at),
                    add(b + "ffn_down.weight", Kind.MATRIX, c.dim(), c.ffnDim(), at));
        }
        outputNorm = add("output_norm.weight", Kind.NORM, 1, c.dim(), at);
        output = c.tiedOutput() ? tokenEmbd : add("output.weight", Kind.MATRIX, c.vocab(), c.dim(), at);
        size = at[0];
    }

    private int add(String name, Kind kind, int rows, int cols, int[] at) {
        long end = (long) at[0] + (long) rows * cols;
        if (end > Integer.MAX_VALUE - 8) throw new dev.loupe.core.LoupeException("model too large for one float array (" + end + " parameters)");
        tensors.add(new Tensor(name, kind, at[0], rows, cols));
        int off = at[0];
        at[0] = (int) end;
        return off;
    }

    public Layer layer(int l) {
        return layers[l];
    }

    public List<Tensor> tensors() {
        return Collections.unmodifiableList(tensors);
    }
}
