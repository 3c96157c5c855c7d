package dev.loupe.lens;

import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Component;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.induction.InductionHeads;
import dev.loupe.lens.logit.TopK;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The induction-head experiment: its bookkeeping against independent computations (on a random-weight fixture and
 * on a trained model), and the phenomenon itself on a model trained here with loupe-train (see
 * {@link InductionTraining}): one head clearly stands out, the repeated half becomes easy, and ablating the top heads
 * makes it hard again.
 */
class InductionHeadsTest {
    /** Where the trained model is left for docs/lens.md's worked example ({@code loupe lens induction -m ...}). */
    static final Path TRAINED = Path.of("target", "induction", "loupe-induction.gguf");

    /** The recipe: 2 layers x 2 heads, dim 64, 31 letters; crosses the loss plateau after ~700 steps (see docs/lens.md). */
    static final InductionTraining.Recipe RECIPE = new InductionTraining.Recipe(32, 64, 2, 2, 64, 64, 4, 32, 16, 1100, 20, 1e-2f, 2.5f, 1);

    @Test
    void sequencesRepeatTheirFirstHalf() {
        int[] s = InductionHeads.sequence(5, 1, 10, IntStream.range(100, 200).toArray());
        assertThat(s).hasSize(21);
        assertThat(s[0]).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThat(s[1 + i]).isEqualTo(s[11 + i]).isBetween(100, 199);
        }
        assertThat(InductionHeads.sequence(5, -1, 10, IntStream.range(100, 200).toArray())).hasSize(20);
        assertThat(InductionHeads.sequence(5, 1, 10, IntStream.range(100, 200).toArray())).isEqualTo(s); // seeded
    }

    @Test
    void scoresAndLossesAreTheDefinedAverages() {
        try (Model m = TestModels.load("tiny-llama-f32"); ThreadPool pool = new ThreadPool(2)) {
            HookedModel hm = new HookedModel(m, pool);
            int[] candidates = IntStream.range(1000, 3000).toArray();
            InductionHeads.Result r = InductionHeads.run(hm, 1, 6, candidates, 2, 2, 11);
            assertDefinedAverages(hm, r, 1, candidates, 11);
        }
    }

    @Test
    void aTrainedModelHasAnInductionHeadAndNeedsIt() throws java.io.IOException {
        long cpu0 = processCpuNanos();
        InductionTraining.Trained t = InductionTraining.trainedOnce(RECIPE);
        double trainCpu = (processCpuNanos() - cpu0) / 1e9;
        // Uniform guessing is log 31 = 3.43 nats; only in-context copying can bring the loss far below it.
        assertThat(t.lastLoss()).as("training loss at the end (crossed the plateau)").isLessThan(0.6 * t.firstLoss());
        java.nio.file.Files.createDirectories(TRAINED.getParent());
        InductionTraining.write(t, TRAINED);
        int S = 24; // any period of training's range; the experiment's sequences are its own (other seed, no BOS)
        try (Model m = Model.load(TRAINED); ThreadPool pool = new ThreadPool(1)) {
            HookedModel hm = new HookedModel(m, pool);
            InductionHeads.Result r = InductionHeads.run(hm, -1, S, RECIPE.tokens(), 6, 2, 7);
            double[] sorted = Arrays.stream(r.scores()).flatMapToDouble(Arrays::stream).sorted().toArray();
            double top = sorted[sorted.length - 1];
            assertThat(top).as("top induction score").isGreaterThan(0.5);
            // Stands out: at least half of the heads give the induction position no more than a uniform share.
            assertThat(sorted[sorted.length / 2 - 1]).as("median-low induction score").isLessThan(0.1);
            assertThat(r.repeatLoss()).as("repeated half's loss").isLessThan(0.25 * r.firstHalfLoss());
            assertThat(r.ablatedRepeatLoss() - r.repeatLoss()).as("rise of the repeated half's loss with the top two heads ablated")
                    .isGreaterThan(0.5 * (r.firstHalfLoss() - r.repeatLoss()));
            assertDefinedAverages(hm, r, -1, RECIPE.tokens(), 7);
            // The mechanism of Olsson et al.: an induction head keys on what a previous-token head of an earlier layer
            // wrote, so layer 0 must have a head that mostly attends to the position just before (uniform gives ~0.09).
            double[] previous = previousTokenScores(hm, InductionHeads.sequence(7, -1, S, RECIPE.tokens()), 0);
            assertThat(Arrays.stream(previous).max().orElseThrow()).as("best previous-token score in layer 0").isGreaterThan(0.4);
            // Content, not distance: the same head finds the earlier copy at a third of the distance too.
            double[][] short8 = InductionHeads.run(hm, -1, 8, RECIPE.tokens(), 6, 1, 8).scores();
            assertThat(short8[r.topHeads().get(0).layer()][r.topHeads().get(0).head()]).as("top head's score at S = 8").isGreaterThan(0.5);
            System.out.printf("induction: training (%.1f s process CPU) loss %.3f -> %.3f, crossed at step %d; scores %s; previous-token scores L0 %s; loss first half %.3f, repeated %.3f, %s ablated %.3f%n",
                    trainCpu, t.firstLoss(), t.lastLoss(), t.transitionStep(), Arrays.deepToString(r.scores()), Arrays.toString(previous), r.firstHalfLoss(), r.repeatLoss(), r.topHeads(), r.ablatedRepeatLoss());
        }
    }

    /** Each head's mean attention from a position to the one before it, in layer {@code layer}. */
    private static double[] previousTokenScores(HookedModel hm, int[] tokens, int layer) {
        int T = tokens.length, H = hm.config().heads();
        float[] p = hm.runWithCache(tokens, name -> name.endsWith("hook_pattern")).cache().get("blocks." + layer + ".attn.hook_pattern").data();
        double[] scores = new double[H];
        for (int h = 0; h < H; h++) for (int q = 1; q < T; q++) scores[h] += p[(h * T + q) * T + q - 1] / (T - 1);
        return scores;
    }

    /** CPU time of the whole test JVM (training runs on the pool's thread, and the JIT compiles beside it). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Recomputes {@code r} from cached patterns and logits of the same sequences, position by position. */
    private static void assertDefinedAverages(HookedModel hm, InductionHeads.Result r, int bos, int[] candidates, long seed) {
        int L = hm.config().layers(), H = hm.config().heads(), V = hm.config().vocabSize();
        int S = r.length(), n = r.sequences(), off = bos >= 0 ? 1 : 0, T = off + 2 * S;
        double[][] want = new double[L][H];
        double first = 0, repeat = 0, ablated = 0;
        for (int s = 0; s < n; s++) {
            int[] tokens = InductionHeads.sequence(seed + s, bos, S, candidates);
            var run = hm.runWithCache(tokens, name -> name.endsWith("hook_pattern"));
            for (int l = 0; l < L; l++) {
                float[] p = run.cache().get("blocks." + l + ".attn.hook_pattern").data();
                for (int h = 0; h < H; h++)
                    for (int i = 0; i < S; i++) {
                        int q = off + S + i; // the i-th repeated token; its earlier copy is at off + i, followed by off + i + 1
                        want[l][h] += p[(h * T + q) * T + off + i + 1] / ((double) n * S);
                    }
            }
            for (int q = off; q < off + S - 1; q++) first -= TopK.logProb(run.logits(), q * V, V, tokens[q + 1]) / ((double) n * (S - 1));
            for (int q = off + S; q < T - 1; q++) repeat -= TopK.logProb(run.logits(), q * V, V, tokens[q + 1]) / ((double) n * (S - 1));
            ablated += new Ablation(hm, tokens, new Metric.Loss(off + S), Ablation.Kind.ZERO).ablated(r.topHeads()) / n;
        }
        for (int l = 0; l < L; l++) for (int h = 0; h < H; h++) assertThat(r.scores()[l][h]).isCloseTo(want[l][h], within(1e-9));
        assertThat(r.firstHalfLoss()).isCloseTo(first, within(1e-9));
        assertThat(r.repeatLoss()).isCloseTo(repeat, within(1e-9));
        assertThat(r.ablatedRepeatLoss()).isCloseTo(ablated, within(1e-9));
        // The top heads are the highest scores, best first.
        Component.Head best = r.topHeads().get(0);
        for (double[] row : r.scores()) for (double v : row) assertThat(v).isLessThanOrEqualTo(r.scores()[best.layer()][best.head()]);
        for (int i = 1; i < r.topHeads().size(); i++) {
            Component.Head h = r.topHeads().get(i), prev = r.topHeads().get(i - 1);
            assertThat(r.scores()[h.layer()][h.head()]).isLessThanOrEqualTo(r.scores()[prev.layer()][prev.head()]);
        }
    }
}
