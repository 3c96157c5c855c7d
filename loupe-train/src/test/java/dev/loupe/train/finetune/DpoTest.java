package dev.loupe.train.finetune;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** DPO's loss by hand, its gradient through the whole model by finite differences, and a short run that learns the preference. */
class DpoTest {
    static final ThreadPool POOL = new ThreadPool(1);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void lossAndSlopeByHand() {
        // z = 0.1 ((-10 + 12) - (-15 + 14)) = 0.3; -log σ(0.3) = log(1 + e^-0.3) = 0.5543552444; σ(-0.3) = 0.4255574832.
        double z = DpoLoss.z(0.1, -10, -15, -12, -14);
        assertThat(z).isCloseTo(0.3, within(1e-12));
        assertThat(DpoLoss.loss(z)).isCloseTo(0.5543552444, within(1e-9));
        assertThat(DpoLoss.dChosen(0.1, z)).isCloseTo(-0.04255574832, within(1e-10));
        assertThat(DpoLoss.loss(-800)).isCloseTo(800, within(1e-9)); // no overflow
        assertThat(DpoLoss.loss(800)).isCloseTo(0, within(1e-12));
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        LlamaConfig c = new LlamaConfig(13, 8, 1, 2, 1, 12, 8, 10000f, 1e-5f, true);
        LlamaModel m = new LlamaModel(c, 2, 6, POOL);
        SplitMix64 r = new SplitMix64(4);
        for (int i = 0; i < m.params.length; i++) m.params[i] = 0.5f * (float) r.nextGaussian();
        PreferencePair pair = new PreferencePair(seq(new int[]{1, 2, 3, 4, 5}, 2), seq(new int[]{1, 2, 7, 8}, 2));
        double beta = 0.5;
        // The reference log-probabilities, computed here independently of the trainer.
        double[] ref = logProbs(m, pair);
        DpoTrainer t = new DpoTrainer(m, new AdamW(AdamWConfig.defaults(1e-3f, 1, 10), m.layout()), List.of(pair), beta, 1, 1);
        for (int i = 0; i < m.params.length; i++) m.params[i] += 0.2f * (float) r.nextGaussian(); // policy ≠ reference
        m.zeroGrad();
        double loss = t.microStep(1f);
        float[] g = m.grads.clone();
        java.util.function.DoubleSupplier f = () -> {
            double[] lp = logProbs(m, pair);
            return DpoLoss.loss(DpoLoss.z(beta, lp[0], lp[1], ref[0], ref[1]));
        };
        assertThat(loss).isCloseTo(f.getAsDouble(), within(1e-6));
        assertThat(Math.abs(DpoLoss.z(beta, logProbs(m, pair)[0], logProbs(m, pair)[1], ref[0], ref[1]))).as("z away from 0").isGreaterThan(0.05);
        SplitMix64 pick = new SplitMix64(9);
        double worst = 0, largest = 0;
        for (int s = 0; s < 60; s++) {
            int i = pick.nextInt(m.params.length);
            float old = m.params[i];
            float h = 1e-3f;
            m.params[i] = old + h;
            double up = f.getAsDouble();
            m.params[i] = old - h;
            double down = f.getAsDouble();
            m.params[i] = old;
            double numeric = (up - down) / (2 * h);
            worst = Math.max(worst, Math.abs(numeric - g[i]) / (2e-4 + 1e-2 * Math.abs(numeric)));
            largest = Math.max(largest, Math.abs(g[i]));
        }
        assertThat(largest).as("gradient is not trivially 0").isGreaterThan(1e-3);
        assertThat(worst).as("worst |analytic - numeric| in units of the tolerance").isLessThan(1.0);
    }

    @Test
    void aShortRunLearnsThePreference() {
        LlamaConfig c = new LlamaConfig(16, 16, 1, 2, 1, 32, 12, 10000f, 1e-5f, true);
        LlamaModel m = new LlamaModel(c, 4, 8, POOL);
        m.initialize(3);
        SplitMix64 r = new SplitMix64(5);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int a = 1 + r.nextInt(7);
            // Prompt (a, a+1); the preferred answer continues counting, the other one repeats a.
            pairs.add(new PreferencePair(seq(new int[]{a, a + 1, a + 2, a + 3}, 2), seq(new int[]{a, a + 1, a, a}, 2)));
        }
        DpoTrainer t = new DpoTrainer(m, new AdamW(new AdamWConfig(1e-2f, 0.9f, 0.95f, 1e-8f, 0f, 2, 40, 1f, 1f), m.layout()), pairs, 0.5, 7, 1);
        double[] before = t.rewardMargin();
        assertThat(before[0]).as("policy = reference at the start").isEqualTo(0.0);
        double first = t.step().loss(), last = first;
        for (int s = 1; s < 40; s++) last = t.step().loss();
        double[] after = t.rewardMargin();
        assertThat(first).isCloseTo(Math.log(2), within(1e-6));
        assertThat(last).isLessThan(0.3);
        assertThat(after[0]).as("mean reward margin").isGreaterThan(1.0);
        assertThat(after[1]).as("pairs ranked right").isEqualTo(1.0);
    }

    /** A sequence of ids whose first {@code prompt} ids are masked: targets are the following ids. */
    static MaskedSequence seq(int[] ids, int prompt) {
        int n = ids.length - 1;
        int[] tokens = java.util.Arrays.copyOf(ids, n), targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = i + 1 >= prompt ? ids[i + 1] : -1;
        return new MaskedSequence(tokens, targets);
    }

    private static double[] logProbs(LlamaModel m, PreferencePair p) {
        int T = m.seqLen();
        int[] tok = new int[2 * T], tgt = new int[2 * T];
        p.chosen().fill(tok, tgt, 0, T);
        p.rejected().fill(tok, tgt, 1, T);
        m.forward(tok, tgt, false);
        double[] lp = new double[2];
        m.sequenceLogProbs(lp);
        return lp;
    }
}
