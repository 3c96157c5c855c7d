package dev.loupe.lens;

import dev.loupe.core.hook.HookSite;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Component;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.ablate.Patching;
import dev.loupe.lens.logit.LogitLens;
import dev.loupe.lens.logit.TopK;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Logit lens, ablation and patching on a fixture model, checked by invariants with known answers. */
class ExperimentsTest extends FixtureModelTest {
    @Test
    void logitLensLastRowIsTheModelsOwnPrediction() {
        LogitLens.Result r = LogitLens.run(hm, PROMPT, 3);
        assertThat(r.layers()).hasSize(model.config().layers() + 1);
        float[] logits = hm.run(PROMPT);
        int V = model.config().vocabSize();
        LogitLens.Layer last = r.layers().getLast();
        for (int p = 0; p < PROMPT.length; p++) {
            int[] want = TopK.indices(logits, p * V, V, 3);
            assertThat(last.topIds()[p]).containsExactly(want);
            // Probabilities descend and match softmax of the logits (computed independently here in double).
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < V; i++) max = Math.max(max, logits[p * V + i]);
            for (int i = 0; i < V; i++) sum += Math.exp(logits[p * V + i] - max);
            assertThat((double) last.topProbs()[p][0]).isCloseTo(Math.exp(logits[p * V + want[0]] - max) / sum, within(1e-6));
            assertThat(last.topProbs()[p][0]).isGreaterThanOrEqualTo(last.topProbs()[p][1]);
        }
    }

    @Test
    void topKAgreesWithAFullSort() {
        float[] x = {3, -1, 7, 7, 0.5f, 9, -4};
        assertThat(TopK.indices(x, 0, x.length, 4)).containsExactly(5, 2, 3, 0);
        assertThat(TopK.indices(x, 2, 5, 2)).containsExactly(3, 0); // offsets are relative to off
    }

    @Test
    void zeroAblatingAllHeadsOfALayerEqualsZeroingItsAttentionOutput() {
        Ablation ab = new Ablation(hm, PROMPT, new Metric.Loss(0), Ablation.Kind.ZERO);
        List<Component.Head> heads = new java.util.ArrayList<>();
        for (int h = 0; h < model.config().heads(); h++) heads.add(new Component.Head(1, h));
        double allHeads = ab.ablated(heads);
        assertThat(allHeads).isEqualTo(ab.ablated(List.of(new Component.AttnLayer(1))));
        assertThat(allHeads).isNotEqualTo(ab.baseline());
        // The head grid's cells are single-head ablations.
        double[][] grid = ab.headGrid();
        assertThat(grid[1][2]).isEqualTo(ab.ablated(List.of(new Component.Head(1, 2))) - ab.baseline());
    }

    @Test
    void meanAblationOverASinglePositionIsTheIdentity() {
        // The mean over one position is that position's own value, so mean-ablation there must change nothing.
        Ablation one = new Ablation(hm, new int[]{1}, new Metric.LogitDiff(0, 450, 3444), Ablation.Kind.MEAN);
        assertThat(one.effects(List.of(new Component.Head(0, 1), new Component.MlpLayer(1), new Component.Neuron(1, 5)))).containsExactly(0, 0, 0);
        Ablation two = new Ablation(hm, new int[]{1, 450}, new Metric.LogitDiff(1, 450, 3444), Ablation.Kind.MEAN);
        assertThat(two.effects(List.of(new Component.MlpLayer(0)))[0]).isNotZero();
    }

    @Test
    void patchingTheEmbeddingAtTheChangedPositionRecoversEverything() {
        int[] corrupted = PROMPT.clone();
        corrupted[4] = 4699; // " France" -> another token
        Metric m = new Metric.LogitDiff(-1, 3681, 4699);
        Patching p = new Patching(hm, PROMPT, corrupted, m);
        assertThat(p.cleanScore()).isNotEqualTo(p.corruptedScore());
        double[][] g = p.byLayerAndPosition(HookSite.RESID_PRE);
        for (int pos = 0; pos < PROMPT.length; pos++) {
            // Layer 0's input at the changed position is the whole difference; elsewhere it is identical already.
            assertThat(g[0][pos]).isEqualTo(pos == 4 ? 1.0 : 0.0);
        }
        // Patching a head's output everywhere moves the metric by that head's share; the shares are finite numbers.
        double[][] heads = p.byHead();
        assertThat(heads).hasDimensions(model.config().layers(), model.config().heads());
        for (double[] row : heads) for (double v : row) assertThat(v).isFinite();
    }

    @Test
    void componentsParseAndAreChecked() {
        var c = model.config();
        assertThat(Component.parse("L1H3", c)).isEqualTo(new Component.Head(1, 3));
        assertThat(Component.parse("L0N191", c)).isEqualTo(new Component.Neuron(0, 191));
        assertThat(Component.parse("L1attn", c)).isEqualTo(new Component.AttnLayer(1));
        assertThat(Component.parse("L0mlp", c)).isEqualTo(new Component.MlpLayer(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Component.parse("L2H0", c)).hasMessageContaining("2 layers");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Component.parse("L0H4", c)).hasMessageContaining("4 heads");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Component.parse("layer1", c)).hasMessageContaining("bad component");
    }
}
