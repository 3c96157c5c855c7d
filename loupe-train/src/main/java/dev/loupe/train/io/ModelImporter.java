package dev.loupe.train.io;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.model.Architecture;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.core.model.RopeStyle;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.ParamLayout;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads a GGUF model into the trainer's flat parameter layout, dequantizing every tensor to F32 through the
 * engine's codecs (so a quantized base is fine: fine-tuning starts from exactly the weights the engine runs).
 * Only models the trainer computes the same way as the engine are accepted: the {@code llama} family (RMSNorm,
 * NORMAL RoPE over the whole head, SiLU gate, no biases or extra norms).
 */
public final class ModelImporter {
    private ModelImporter() {}

    /** The trainer's shape of {@code m}, or a {@link LoupeException} saying why it cannot be trained. */
    public static LlamaConfig config(Model m) {
        ModelConfig c = m.config();
        Architecture a = c.arch();
        var l0 = m.weights().layers()[0];
        String why = a.rope() != RopeStyle.NORMAL ? "its RoPE pairs dimensions NeoX-style"
                : a.qkNorm() || a.postNorms() ? "it has extra norms"
                : a.scaleEmbeddings() || a.fusedGateUp() || a.swaPattern() > 0 ? "its layers differ from Llama's"
                : a.activation() != dev.loupe.core.model.Activation.SILU ? "its activation is not SiLU"
                : l0.bq() != null || l0.bk() != null || l0.bv() != null ? "it has attention biases"
                : c.ropeDim() != c.headDim() || c.valueDim() != c.headDim() || c.qDim() != c.dim() ? "its head sizes differ from Llama's"
                : !c.ropeScaling().isNone() || m.weights().ropeFreqs() != null ? "it scales RoPE"
                : Math.abs(c.attnScale() - 1 / Math.sqrt(c.headDim())) > 1e-6 ? "it scales attention differently"
                : c.attnSoftcap() != 0 || c.finalSoftcap() != 0 ? "it soft-caps logits"
                : null;
        if (why != null) {
            throw new LoupeException("cannot fine-tune a '" + a.name() + "' model: " + why + " (the trainer supports the llama architecture)");
        }
        boolean tied = m.weights().output() == m.weights().tokenEmbedding();
        return new LlamaConfig(c.vocabSize(), c.dim(), c.layers(), c.heads(), c.kvHeads(), c.ffnDim(), c.contextLength(),
                c.ropeTheta(), c.normEps(), tied);
    }

    /** Every tensor of the file, dequantized into {@code params} laid out for {@code c}. */
    public static void load(Model m, LlamaConfig c, float[] params) {
        GgufFile f = m.file();
        for (ParamLayout.Tensor t : new ParamLayout(c).tensors()) {
            TensorInfo info = f.tensor(t.name());
            long[] want = t.rows() == 1 ? new long[]{t.cols()} : new long[]{t.cols(), t.rows()};
            if (!Arrays.equals(info.shape(), want)) {
                throw new LoupeException("tensor '" + t.name() + "' has shape " + Arrays.toString(info.shape()) + ", expected " + Arrays.toString(want));
            }
            Tensor w = Tensor.of(f, info);
            for (int r = 0; r < t.rows(); r++) w.dequantizeRow(r, params, t.offset() + r * t.cols());
        }
    }

    /** Copies the base model's tokenizer (and chat template: every {@code tokenizer.*} key) into an exported model. */
    public static Consumer<GgufWriter> tokenizerOf(GgufFile f) {
        return w -> f.metadata().asMap().forEach((k, v) -> {
            if (k.startsWith("tokenizer.")) w.put(k, v);
        });
    }
}
