package dev.loupe.train.io;

import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.bpe.BpeTrainer;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The exported GGUF, run by Loupe's inference engine, gives the training forward pass's logits. */
class ExportTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void engineLogitsEqualTrainingLogits(boolean tied, @TempDir Path dir) {
        BpeVocab vocab = new BpeTrainer(300).train("the quick brown fox jumps over the lazy dog. ".repeat(40) + "to be or not to be, that is the question. ".repeat(40));
        LlamaConfig c = new LlamaConfig(vocab.size(), 32, 2, 4, 2, 64, 32, 10000f, 1e-5f, tied);
        int T = 12;
        try (ThreadPool pool = new ThreadPool(1)) {
            LlamaModel m = new LlamaModel(c, 1, T, pool);
            m.initialize(7);
            // Weights well away from init scale, so attention is far from uniform and every layer matters.
            SplitMix64 r = new SplitMix64(8);
            for (ParamLayout.Tensor t : m.layout().tensors()) {
                for (int i = 0; i < t.size(); i++) {
                    m.params[t.offset() + i] = t.kind() == ParamLayout.Kind.NORM ? 1f + 0.2f * (float) r.nextGaussian() : 0.3f * (float) r.nextGaussian();
                }
            }
            int[] tokens = new int[T];
            for (int i = 0; i < T; i++) tokens[i] = r.nextInt(c.vocab());
            Path file = dir.resolve("m.gguf");
            ModelExporter.write(file, "test", c, m.params, vocab);

            m.forward(tokens, null, true);
            float[] mirrored = m.logits().clone();
            m.forward(tokens, null, false);
            float[] plain = m.logits().clone();

            try (Model model = Model.load(file); Session s = new Session(model, c.contextLength(), pool)) {
                assertThat(model.config().vocabSize()).isEqualTo(c.vocab());
                assertThat(Tokenizer.fromMetadata(model.file().metadata()).eos()).isEqualTo(vocab.endOfText());
                float[] engine = engineLogits(s, tokens);
                double worstMirrored = relativeDifference(engine, mirrored), worstPlain = relativeDifference(engine, plain);
                // With F16 rounding mirrored the engine's logits came out bit-identical (measured 0); summation
                // order could differ between kernels, hence 1e-6 of the range rather than 0. Without mirroring,
                // the engine's F16 rounding of Q, K, V and attention weights (2^-11 relative) shows as ~1e-3.
                assertThat(worstMirrored).as("mirrored rounding").isLessThan(1e-6);
                assertThat(worstPlain).as("plain float").isLessThan(5e-3);
                System.out.printf("export tied=%s: max |engine - training| / range = %.2e mirrored, %.2e plain%n", tied, worstMirrored, worstPlain);
            }
        }
    }

    /** The engine's logits [T][vocab], feeding {@code tokens} one at a time from the session's start. */
    static float[] engineLogits(Session s, int[] tokens) {
        int V = s.model().config().vocabSize();
        float[] out = new float[tokens.length * V];
        for (int t = 0; t < tokens.length; t++) System.arraycopy(s.forward(tokens[t], true), 0, out, t * V, V);
        return out;
    }

    /** max |a - ref| over the range max |ref|. */
    static double relativeDifference(float[] a, float[] ref) {
        double worst = 0, range = 0;
        for (int i = 0; i < ref.length; i++) {
            range = Math.max(range, Math.abs(ref[i]));
            worst = Math.max(worst, Math.abs(a[i] - ref[i]));
        }
        return worst / range;
    }
}
