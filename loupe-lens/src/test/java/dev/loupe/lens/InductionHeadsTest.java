package dev.loupe.lens;

import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.induction.InductionHeads;
import dev.loupe.lens.logit.TopK;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The induction-head experiment's bookkeeping against independent computations on a fixture model (random weights,
 * so no induction head is expected: the scores must simply be the right averages). The phenomenon itself on a
 * trained model is shown in docs/lens.md (Llama 3.2 1B).
 */
class InductionHeadsTest {
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
        int S = 6, bos = 1;
        int[] candidates = IntStream.range(1000, 3000).toArray();
        try (Model m = TestModels.load("tiny-llama-f32"); ThreadPool pool = new ThreadPool(2)) {
            HookedModel hm = new HookedModel(m, pool);
            InductionHeads.Result r = InductionHeads.run(hm, bos, S, candidates, 2, 2, 11);
            int L = m.config().layers(), H = m.config().heads(), V = m.config().vocabSize(), T = 1 + 2 * S;
            double[][] want = new double[L][H];
            double first = 0, repeat = 0, ablated = 0;
            for (int s = 0; s < 2; s++) {
                int[] tokens = InductionHeads.sequence(11 + s, bos, S, candidates);
                var run = hm.runWithCache(tokens, n -> n.endsWith("hook_pattern"));
                for (int l = 0; l < L; l++) {
                    float[] p = run.cache().get("blocks." + l + ".attn.hook_pattern").data();
                    for (int h = 0; h < H; h++)
                        for (int i = 0; i < S; i++) {
                            int q = 1 + S + i; // the i-th repeated token; its earlier copy is at 1 + i, followed by 2 + i
                            want[l][h] += p[(h * T + q) * T + 2 + i] / (2.0 * S);
                        }
                }
                for (int q = 1; q < S; q++) first -= TopK.logProb(run.logits(), q * V, V, tokens[q + 1]) / (2.0 * (S - 1));
                for (int q = 1 + S; q < T - 1; q++) repeat -= TopK.logProb(run.logits(), q * V, V, tokens[q + 1]) / (2.0 * (S - 1));
                ablated += new Ablation(hm, tokens, new Metric.Loss(1 + S), Ablation.Kind.ZERO).ablated(r.topHeads()) / 2;
            }
            for (int l = 0; l < L; l++) for (int h = 0; h < H; h++) assertThat(r.scores()[l][h]).isCloseTo(want[l][h], within(1e-9));
            assertThat(r.firstHalfLoss()).isCloseTo(first, within(1e-9));
            assertThat(r.repeatLoss()).isCloseTo(repeat, within(1e-9));
            assertThat(r.ablatedRepeatLoss()).isCloseTo(ablated, within(1e-9));
            // The top heads are the highest scores, best first.
            var top = r.topHeads();
            assertThat(top).hasSize(2);
            double best = r.scores()[top.get(0).layer()][top.get(0).head()];
            for (double[] row : r.scores()) for (double v : row) assertThat(v).isLessThanOrEqualTo(best);
            assertThat(best).isGreaterThanOrEqualTo(r.scores()[top.get(1).layer()][top.get(1).head()]);
        }
    }
}
