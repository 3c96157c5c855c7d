package dev.loupe.lens.ablate;

import dev.loupe.core.hook.Hooks;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.html.Heatmap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Zero- or mean-ablation of components and the change it makes to a metric. Mean-ablation replaces the slice with
 * its mean over the positions of the same prompt's clean run (a dataset mean needs a corpus; the prompt's mean keeps
 * the experiment one command).
 */
public final class Ablation {
    public enum Kind { ZERO, MEAN }

    private final HookedModel hm;
    private final int[] tokens;
    private final Metric metric;
    private final Kind kind;
    private final ActivationCache clean;
    private final double baseline;

    public Ablation(HookedModel hm, int[] tokens, Metric metric, Kind kind) {
        this.hm = hm;
        this.tokens = tokens;
        this.metric = metric;
        this.kind = kind;
        // The clean run supplies the baseline and, for mean-ablation, the means.
        Set<String> names = new HashSet<>();
        if (kind == Kind.MEAN) {
            for (int l = 0; l < hm.config().layers(); l++) {
                for (String s : List.of("attn.hook_z", "mlp.hook_post", "hook_attn_out", "hook_mlp_out")) names.add("blocks." + l + "." + s);
            }
        }
        var run = hm.runWithCache(tokens, names::contains);
        this.clean = run.cache();
        this.baseline = metric.score(run.logits(), tokens, hm.config().vocabSize());
    }

    private Runnable onRun = () -> { };

    /** Called after every forward pass of the experiment (for progress bars). */
    public Ablation onEachRun(Runnable r) {
        this.onRun = r;
        return this;
    }

    public double baseline() {
        return baseline;
    }

    /** The metric with all of {@code components} ablated together. */
    public double ablated(List<? extends Component> components) {
        Hooks hooks = hm.newHooks();
        for (Component c : components) hooks.add(c.point(), hook(c));
        float[] logits = hm.runWithHooks(tokens, hooks);
        onRun.run();
        return metric.score(logits, tokens, hm.config().vocabSize());
    }

    /** Metric change (ablated - baseline) of each component ablated alone. */
    public double[] effects(List<? extends Component> components) {
        double[] out = new double[components.size()];
        for (int i = 0; i < out.length; i++) out[i] = ablated(List.of(components.get(i))) - baseline;
        return out;
    }

    /** Every head, one at a time: a layer x head grid of metric changes. */
    public double[][] headGrid() {
        ModelConfig c = hm.config();
        double[][] g = new double[c.layers()][c.heads()];
        for (int l = 0; l < c.layers(); l++)
            for (int h = 0; h < c.heads(); h++) g[l][h] = ablated(List.of(new Component.Head(l, h))) - baseline;
        return g;
    }

    public Heatmap headHeatmap(double[][] grid, String modelName) {
        return new Heatmap(kind.name().toLowerCase() + "-ablation of each head: " + modelName,
                "Change in " + metric.describe() + " when one head's output (its slice of hook_z) is "
                        + (kind == Kind.ZERO ? "zeroed" : "replaced by its mean over positions") + "; baseline " + String.format("%.4f", baseline) + ".",
                "layer", "head", labels("L", grid.length), labels("H", grid[0].length), grid, null, true);
    }

    static List<String> labels(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }

    private dev.loupe.core.hook.Hook hook(Component comp) {
        ModelConfig c = hm.config();
        int from = comp.from(c), to = comp.to(c);
        float[] value = new float[to - from];
        if (kind == Kind.MEAN) {
            float[] a = clean.get(comp.point().name()).data();
            int width = a.length / tokens.length;
            for (int p = 0; p < tokens.length; p++) for (int i = from; i < to; i++) value[i - from] += a[p * width + i];
            for (int i = 0; i < value.length; i++) value[i] /= tokens.length;
        }
        return SliceHooks.fill(from, to, value);
    }
}
