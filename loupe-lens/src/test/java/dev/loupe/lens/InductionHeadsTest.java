package dev.loupe.lens;

import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.induction.InductionHeads;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.Trainer;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.bpe.ByteLevel;
import dev.loupe.train.data.TokenData;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Induction heads reproduced on a real trained model: a 2-layer attention model trained here (loupe-train) on a
 * stream of random token blocks each followed by its repeat. Only an induction circuit (a previous-token head in
 * layer 0 feeding a head in layer 1) can predict the repeats, so the phenomenon must appear for the loss to fall.
 */
class InductionHeadsTest {
    static final int TOKENS = 48; // random ids drawn from [0, 48) of the 257-token byte-level vocabulary

    @Test
    void aTrainedTwoLayerModelHasAnInductionHeadAndNeedsIt(@TempDir Path dir) {
        Path gguf = dir.resolve("induction.gguf");
        try (ThreadPool pool = new ThreadPool(2)) {
            train(gguf, pool);
            try (Model m = Model.load(gguf)) {
                HookedModel hm = new HookedModel(m, pool);
                InductionHeads.Result r = InductionHeads.run(hm, -1, 12, java.util.stream.IntStream.range(0, TOKENS).toArray(), 8, 1, 7);
                double[][] s = r.scores();
                var best = r.topHeads().get(0);
                double top = s[best.layer()][best.head()];
                // Uniform causal attention over the repeat would give ~1/(q+1) < 0.08 on this target.
                double mean = 0;
                for (double[] row : s) for (double v : row) mean += v / (s.length * row.length);
                System.out.printf("induction scores %s; top %s %.3f (mean %.3f); loss first %.3f repeat %.3f ablated %.3f%n",
                        java.util.Arrays.deepToString(s), best.label(), top, mean, r.firstHalfLoss(), r.repeatLoss(), r.ablatedRepeatLoss());
                assertThat(best.layer()).isEqualTo(1); // induction needs a previous-token head below it
                assertThat(top).isGreaterThan(0.4).isGreaterThan(3 * mean);
                // The model predicts the repeat (random tokens: the first half cannot be predicted, ln 48 = 3.87)...
                assertThat(r.firstHalfLoss()).isGreaterThan(3.0);
                assertThat(r.repeatLoss()).isLessThan(r.firstHalfLoss() - 1.5);
                // ... and loses that ability when the top head is ablated.
                assertThat(r.ablatedRepeatLoss()).isGreaterThan(r.repeatLoss() + 1.0);
            }
        }
    }

    /** Trains on blocks [r, r] of random ids (block length 6..16, so no fixed offset can stand in for induction). */
    static void train(Path gguf, ThreadPool pool) {
        String[] spell = new String[257];
        for (int b = 0; b < 256; b++) spell[b] = String.valueOf(ByteLevel.of(b));
        spell[256] = BpeVocab.END_OF_TEXT;
        BpeVocab vocab = new BpeVocab(spell, new String[0], 1);
        int dim = Integer.getInteger("lens.induction.dim", 64);
        LlamaConfig c = new LlamaConfig(257, dim, 2, 4, 4, 2 * dim, 64, 10000f, 1e-5f, true);
        int steps = Integer.getInteger("lens.induction.steps", 300);
        float lr = Float.parseFloat(System.getProperty("lens.induction.lr", "3e-3"));
        LlamaModel model = new LlamaModel(c, Integer.getInteger("lens.induction.batch", 8), Integer.getInteger("lens.induction.seq", 48), pool);
        model.initialize(1);
        Trainer t = new Trainer(model, new AdamW(AdamWConfig.defaults(lr, 20, steps), model.layout()), new TokenData(stream(200_000, 1), stream(5_000, 2), 0, 0), 3, 1);
        for (int i = 0; i < steps; i++) {
            var st = t.step();
            if (i % 25 == 0 || i == steps - 1) System.out.printf("step %d loss %.3f%n", i, st.loss());
        }
        ModelExporter.write(gguf, "induction-test", c, model.params, vocab);
    }

    static int[] stream(int n, long seed) {
        SplitMix64 r = new SplitMix64(seed);
        int[] out = new int[n];
        int i = 0;
        while (i < n) {
            int len = 6 + (int) (r.nextLong() >>> 33) % 11;
            int start = i;
            for (int j = 0; j < len && i < n; j++) out[i++] = (int) ((r.nextLong() >>> 33) % TOKENS);
            for (int j = 0; j < len && i < n; j++) out[i++] = out[start + j];
        }
        return out;
    }
}
