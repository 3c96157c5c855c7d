package dev.loupe.train.nn;

import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;

import static dev.loupe.train.nn.GradCheck.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fine-tuning additions: the loss mask, per-sequence weighting (DPO) and LoRA, against hand and finite-difference computations. */
class FineTuneGradientTest {
    static final ThreadPool POOL = new ThreadPool(1);
    final SplitMix64 rng = new SplitMix64(7);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void maskedCrossEntropyIsTheMeanOverUnmaskedRowsByHand() {
        // Row 0: logits (1, 2, 3), target 2: -log(e^3 / (e + e^2 + e^3)) = 0.40760596...
        // Row 1: masked. Row 2: logits (0, 0, ln 3), target 0: -log(1 / 5) = ln 5.
        float[] logits = {1, 2, 3, 5, -4, 7, 0, 0, (float) Math.log(3)};
        int[] targets = {2, CrossEntropy.IGNORE, 0};
        CrossEntropy ce = new CrossEntropy(POOL, 3);
        double row0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        assertThat(row0).isCloseTo(0.4076059644, within(1e-9));
        double loss = ce.run(logits.clone(), targets, 3, 3, false, 0f);
        assertThat(loss).isCloseTo((row0 + Math.log(5)) / 2, within(1e-6));
        float[] g = logits.clone();
        ce.run(g, targets, 3, 3, true, 0.5f);
        assertThat(Arrays.copyOfRange(g, 3, 6)).as("a masked row has no gradient").containsOnly(0f);
        assertThat(g[6]).isCloseTo((float) (0.5 * (0.2 - 1)), within(1e-6f));
        assertThat(g[8]).isCloseTo((float) (0.5 * 0.6), within(1e-6f));
        assertThat(ce.run(logits.clone(), new int[]{-1, -1, -1}, 3, 3, false, 0f)).isNaN();
    }

    @Test
    void modelLossCountsOnlyUnmaskedTargets() {
        LlamaConfig c = new LlamaConfig(11, 8, 1, 2, 1, 12, 6, 10000f, 1e-5f, false);
        LlamaModel m = randomModel(c, 2, 4);
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8}, targets = {-1, -1, 3, 4, -1, 6, -1, -1};
        m.forward(tokens, null, false);
        float[] logits = m.logits().clone();
        double byHand = 0;
        for (int n : new int[]{2, 3, 5}) {
            double z = 0;
            for (int i = 0; i < 11; i++) z += Math.exp(logits[n * 11 + i]);
            byHand += Math.log(z) - logits[n * 11 + targets[n]];
        }
        assertThat(m.forward(tokens, targets, false)).isCloseTo(byHand / 3, within(1e-5));
        double[] seq = new double[2];
        m.sequenceLogProbs(seq);
        assertThat(seq[0] + seq[1]).isCloseTo(-byHand, within(1e-4));
    }

    @Test
    void maskedModelGradientMatchesFiniteDifferences() {
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 1, 12, 6, 10000f, 1e-5f, false);
        LlamaModel m = randomModel(c, 2, 5);
        int[] tokens = randomTokens(10, 11), targets = randomTokens(10, 11);
        for (int i : new int[]{0, 1, 4, 5, 6}) targets[i] = CrossEntropy.IGNORE;
        m.zeroGrad();
        m.forward(tokens, targets, false);
        m.backward(1f);
        float[] g = m.grads.clone();
        for (ParamLayout.Tensor t : m.layout().tensors()) {
            check(t.name(), m.params, t.offset(), t.size(), g, t.offset(), () -> m.forward(tokens, targets, false), Math.min(t.size(), 16), t.offset());
        }
    }

    @Test
    void perSequenceWeightsMatchFiniteDifferences() {
        LlamaConfig c = new LlamaConfig(11, 8, 1, 2, 1, 12, 6, 10000f, 1e-5f, true);
        LlamaModel m = randomModel(c, 2, 5);
        int[] tokens = randomTokens(10, 11), targets = randomTokens(10, 11);
        targets[0] = targets[9] = CrossEntropy.IGNORE;
        float[] w = {0.7f, -1.3f};
        double[] lp = new double[2];
        java.util.function.DoubleSupplier loss = () -> {
            m.forward(tokens, targets, false);
            m.sequenceLogProbs(lp);
            return -(w[0] * lp[0] + w[1] * lp[1]);
        };
        m.zeroGrad();
        loss.getAsDouble();
        m.backwardSequences(w);
        float[] g = m.grads.clone();
        for (ParamLayout.Tensor t : m.layout().tensors()) {
            check(t.name(), m.params, t.offset(), t.size(), g, t.offset(), loss, Math.min(t.size(), 16), t.offset());
        }
    }

    @Test
    void loraGradientsMatchFiniteDifferences() {
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 1, 12, 6, 10000f, 1e-5f, false);
        LlamaModel m = randomModel(c, 2, 4);
        Lora lora = m.attachLora(new Lora.Config(3, 6f, EnumSet.allOf(LoraTarget.class)));
        // Both A and B non-zero (after initialisation B = 0 and dA would be trivially 0).
        for (int i = 0; i < lora.params.length; i++) lora.params[i] = 0.4f * (float) rng.nextGaussian();
        int[] tokens = randomTokens(8, 11), targets = randomTokens(8, 11);
        targets[3] = CrossEntropy.IGNORE;
        m.zeroGrad();
        m.forward(tokens, targets, false);
        m.backward(1f);
        float[] gl = lora.grads.clone();
        for (Lora.Pair p : lora.pairs()) {
            int r = lora.config().rank();
            check(p.baseName() + ".lora_a", lora.params, p.aOff(), r * p.in(), gl, p.aOff(), () -> m.forward(tokens, targets, false), 12, p.aOff());
            check(p.baseName() + ".lora_b", lora.params, p.bOff(), r * p.out(), gl, p.bOff(), () -> m.forward(tokens, targets, false), 12, p.bOff());
        }
        // The input gradient flows through the adapters too: layer 0's adapters check out only if the gradient reaching
        // them passed correctly through layer 1's. The frozen base's weight gradients are not formed at all.
        assertThat(m.grads).as("no gradient for the frozen base").containsOnly(0f);
    }

    @Test
    void mergedWeightsGiveTheAdaptedLogits() {
        LlamaConfig c = new LlamaConfig(13, 16, 2, 4, 2, 24, 8, 10000f, 1e-5f, true);
        LlamaModel m = randomModel(c, 1, 8);
        Lora lora = m.attachLora(new Lora.Config(4, 8f, EnumSet.of(LoraTarget.ATTN_Q, LoraTarget.ATTN_V, LoraTarget.FFN_DOWN)));
        lora.initialize(3);
        int[] tokens = randomTokens(8, 13);
        m.forward(tokens, null, false);
        float[] base = m.logits().clone();
        for (int i = 0; i < lora.params.length; i++) lora.params[i] = 0.3f * (float) rng.nextGaussian();
        m.forward(tokens, null, false);
        float[] adapted = m.logits().clone();
        LlamaModel merged = new LlamaModel(c, 1, 8, POOL);
        System.arraycopy(m.params, 0, merged.params, 0, m.params.length);
        lora.mergeInto(merged.params, merged.layout());
        merged.forward(tokens, null, false);
        float maxDiff = 0, maxChange = 0;
        for (int i = 0; i < adapted.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(merged.logits()[i] - adapted[i]));
            maxChange = Math.max(maxChange, Math.abs(base[i] - adapted[i]));
        }
        assertThat(maxChange).as("the adapters change the logits").isGreaterThan(0.05f);
        assertThat(maxDiff).as("merged vs adapted").isLessThan(1e-4f);
    }

    private LlamaModel randomModel(LlamaConfig c, int B, int T) {
        LlamaModel m = new LlamaModel(c, B, T, POOL);
        for (ParamLayout.Tensor t : m.layout().tensors()) {
            for (int i = 0; i < t.size(); i++) {
                m.params[t.offset() + i] = t.kind() == ParamLayout.Kind.NORM ? 1f + 0.3f * (float) rng.nextGaussian() : 0.5f * (float) rng.nextGaussian();
            }
        }
        return m;
    }

    private int[] randomTokens(int n, int vocab) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextInt(vocab);
        return a;
    }
}
