package dev.loupe.train.io;

import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.ParamLayout;

import java.nio.file.Path;

/**
 * Writes trained parameters as an F32 GGUF of architecture "llama" with the tokenizer, which Loupe's engine
 * and llama.cpp load. Matrices are row-major [out][in], i.e. GGUF shape [in, out], so each tensor is a straight
 * copy. RoPE needs no permutation: training already pairs neighbouring dimensions as llama.cpp's llama does.
 * With tied output there is no output.weight; the engine falls back to token_embd as llama.cpp does.
 */
public final class ModelExporter {
    private ModelExporter() {}

    public static void write(Path target, String name, LlamaConfig c, float[] params, BpeVocab vocab) {
        write(target, name, c, params, (java.util.function.Consumer<GgufWriter>) vocab::writeTo);
    }

    /** As above, with the tokenizer metadata written by {@code tokenizer} (e.g. copied from a fine-tuned base). */
    public static void write(Path target, String name, LlamaConfig c, float[] params, java.util.function.Consumer<GgufWriter> tokenizer) {
        GgufWriter w = new GgufWriter();
        String a = "llama.";
        w.putString("general.architecture", "llama");
        w.putString("general.name", name);
        w.putUInt32("general.file_type", 0);
        w.putUInt32(a + "vocab_size", c.vocab());
        w.putUInt32(a + "block_count", c.layers());
        w.putUInt32(a + "context_length", c.contextLength());
        w.putUInt32(a + "embedding_length", c.dim());
        w.putUInt32(a + "feed_forward_length", c.ffnDim());
        w.putUInt32(a + "attention.head_count", c.heads());
        w.putUInt32(a + "attention.head_count_kv", c.kvHeads());
        w.putUInt32(a + "attention.key_length", c.headDim());
        w.putUInt32(a + "attention.value_length", c.headDim());
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", c.normEps());
        w.putFloat32(a + "rope.freq_base", c.ropeTheta());
        w.putUInt32(a + "rope.dimension_count", c.headDim());
        tokenizer.accept(w);
        for (ParamLayout.Tensor t : new ParamLayout(c).tensors()) {
            long[] shape = t.rows() == 1 ? new long[]{t.cols()} : new long[]{t.cols(), t.rows()};
            w.addTensor(t.name(), GgmlType.F32, shape, out -> {
                byte[] row = new byte[t.cols() * 4];
                for (int r = 0; r < t.rows(); r++) {
                    dev.loupe.core.tensor.FloatEncoder.encode(GgmlType.F32, params, t.offset() + r * t.cols(), t.cols(), row, 0);
                    out.write(row);
                }
            });
        }
        w.write(target);
    }
}
