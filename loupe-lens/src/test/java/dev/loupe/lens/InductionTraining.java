package dev.loupe.lens;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.ParamLayout;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;

import java.nio.file.Path;

/**
 * Trains a small Llama (loupe-train) on which induction heads form, and writes it as a GGUF the engine loads.
 *
 * <p>Each training row is random tokens with a random period P in [{@code minPeriod}, {@code maxPeriod}]: the
 * first P tokens are unpredictable and every later one repeats the token P back, so the loss can only fall below
 * the uniform log(V) by copying in context. The period varies from row to row on purpose: with one fixed period a
 * single head learns to look back a fixed distance (RoPE makes that easy) and the "induction score" at that length
 * is high without any content matching, and it vanishes at every other length.
 *
 * <p>The vocabulary is {@code vocab - 1} one-letter tokens plus {@code <|endoftext|>} (never used in training), so
 * {@code loupe lens induction -m} runs on the written file as on any model.
 */
final class InductionTraining {
    private InductionTraining() {}

    /**
     * @param qkInitScale factor on the initial attn_q and attn_k weights: attention logits start less flat, which
     *                    shortened the loss plateau (seed 1: transition at ~765 steps instead of ~858)
     */
    record Recipe(int vocab, int dim, int layers, int heads, int ffn, int seqLen, int minPeriod, int maxPeriod,
                  int batch, int steps, int warmup, float lr, float qkInitScale, long seed) {
        LlamaConfig config() {
            return new LlamaConfig(vocab, dim, layers, heads, heads, ffn, seqLen, 10000f, 1e-5f, true);
        }

        /** The ids random tokens are drawn from (all but the end-of-text token). */
        int[] tokens() {
            return java.util.stream.IntStream.range(0, vocab - 1).toArray();
        }
    }

    /**
     * The trained model's parameters, the mean training loss of the first and last tenth of the steps, and the
     * transition: the first step whose loss is below the midpoint of those two (where the plateau was crossed).
     */
    record Trained(LlamaConfig config, float[] params, double firstLoss, double lastLoss, int transitionStep) {}

    private static final java.util.Map<Recipe, Trained> TRAINED = new java.util.HashMap<>();

    /** {@link #train}, once per recipe per test JVM: the tests that need a copying model share one training run. */
    static synchronized Trained trainedOnce(Recipe r) {
        return TRAINED.computeIfAbsent(r, InductionTraining::train);
    }

    static Trained train(Recipe r) {
        LlamaConfig c = r.config();
        // One thread: these shapes are too small for a second one to pay for its hand-offs (as in loupe-train's tests).
        try (ThreadPool pool = new ThreadPool(1)) {
            LlamaModel m = new LlamaModel(c, r.batch(), r.seqLen(), pool);
            m.initialize(r.seed());
            for (ParamLayout.Tensor t : m.layout().tensors()) {
                if (t.name().endsWith("attn_q.weight") || t.name().endsWith("attn_k.weight")) {
                    for (int i = t.offset(); i < t.offset() + t.size(); i++) m.params[i] *= r.qkInitScale();
                }
            }
            // A constant rate after warmup (no cosine decay): the plateau is crossed only while the rate is still high.
            AdamW opt = new AdamW(new AdamWConfig(r.lr(), 0.9f, 0.95f, 1e-8f, 0.1f, r.warmup(), r.steps(), 1f, 1f), m.layout());
            SplitMix64 rng = new SplitMix64(r.seed() + 1);
            int T = r.seqLen(), n = r.batch() * T, tenth = Math.max(1, r.steps() / 10);
            int[] tokens = new int[n], targets = new int[n];
            double first = 0, last = 0;
            double[] losses = new double[r.steps()];
            for (int step = 0; step < r.steps(); step++) {
                fillBatch(r, rng, tokens, targets);
                m.zeroGrad();
                double loss = losses[step] = m.forward(tokens, targets, false);
                m.backward(1f);
                opt.update(m.params, m.grads);
                if (step < tenth) first += loss / tenth;
                if (step >= r.steps() - tenth) last += loss / tenth;
            }
            int transition = 0;
            while (transition < losses.length - 1 && losses[transition] >= (first + last) / 2) transition++;
            return new Trained(c, m.params, first, last, transition);
        }
    }

    private static void fillBatch(Recipe r, SplitMix64 rng, int[] tokens, int[] targets) {
        int T = r.seqLen(), V = r.vocab() - 1;
        for (int b = 0; b < r.batch(); b++) {
            int base = b * T, period = r.minPeriod() + rng.nextInt(r.maxPeriod() - r.minPeriod() + 1);
            for (int p = 0; p < T; p++) tokens[base + p] = p < period ? rng.nextInt(V) : tokens[base + p - period];
            for (int p = 0; p < T; p++) targets[base + p] = p + 1 < T ? tokens[base + p + 1] : -1;
        }
    }

    /** Writes the model as an F32 GGUF with its one-letter vocabulary. */
    static void write(Trained t, Path file) {
        int V = t.config().vocab();
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!?#$%&*+-=@^~";
        if (V - 1 > letters.length()) throw new IllegalArgumentException("vocabulary of " + V + " exceeds the one-letter tokens");
        String[] pieces = new String[V];
        for (int i = 0; i < V - 1; i++) pieces[i] = String.valueOf(letters.charAt(i));
        pieces[V - 1] = BpeVocab.END_OF_TEXT;
        ModelExporter.write(file, "loupe-induction", t.config(), t.params(), new BpeVocab(pieces, new String[0], 1));
    }
}
