package dev.loupe.lens.ablate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.html.Heatmap;

import java.util.ArrayList;
import java.util.List;

/**
 * Activation patching (causal tracing, the IOI experiment): run the corrupted prompt, overwrite one activation with
 * its value from the clean run, and see how much of the clean metric comes back. Reported as the recovered
 * fraction (patched - corrupted) / (clean - corrupted): 1 means the patched activation alone carries the difference.
 */
public final class Patching {
    private final HookedModel hm;
    private final int[] clean, corrupted;
    private final Metric metric;
    private final ActivationCache cleanCache;
    private final double cleanScore, corruptedScore;

    public Patching(HookedModel hm, int[] clean, int[] corrupted, Metric metric) {
        if (clean.length != corrupted.length) {
            throw new LoupeException("clean and corrupted prompts must have the same number of tokens (" + clean.length + " vs " + corrupted.length + ")");
        }
        this.hm = hm;
        this.clean = clean;
        this.corrupted = corrupted;
        this.metric = metric;
        var run = hm.runWithCache(clean, n -> n.endsWith("hook_resid_pre") || n.endsWith("hook_attn_out")
                || n.endsWith("hook_mlp_out") || n.endsWith("attn.hook_z"));
        this.cleanCache = run.cache();
        int V = hm.config().vocabSize();
        this.cleanScore = metric.score(run.logits(), clean, V);
        this.corruptedScore = metric.score(hm.run(corrupted), corrupted, V);
    }

    private Runnable onRun = () -> { };

    /** Called after every forward pass of the experiment (for progress bars). */
    public Patching onEachRun(Runnable r) {
        this.onRun = r;
        return this;
    }

    public double cleanScore() {
        return cleanScore;
    }

    public double corruptedScore() {
        return corruptedScore;
    }

    /** The metric of the corrupted run with the slice [from, to) at {@code point} (one position, or all when -1) from the clean run. */
    public double patched(HookPoint point, int position, int from, int to) {
        Hooks hooks = hm.newHooks().add(point, SliceHooks.copyFrom(cleanCache.get(point.name()).data(), position, from, to));
        float[] logits = hm.runWithHooks(corrupted, hooks);
        onRun.run();
        return metric.score(logits, corrupted, hm.config().vocabSize());
    }

    public double recovered(double patched) {
        return (patched - corruptedScore) / (cleanScore - corruptedScore);
    }

    /** Recovered fraction for each layer and position, patching a whole row of {@code site} (resid_pre, attn_out, mlp_out). */
    public double[][] byLayerAndPosition(HookSite site) {
        ModelConfig c = hm.config();
        double[][] g = new double[c.layers()][clean.length];
        for (int l = 0; l < c.layers(); l++)
            for (int p = 0; p < clean.length; p++) g[l][p] = recovered(patched(HookPoint.of(site, l), p, 0, c.dim()));
        return g;
    }

    /** Recovered fraction for each head, patching its output (hook_z slice) at every position. */
    public double[][] byHead() {
        ModelConfig c = hm.config();
        double[][] g = new double[c.layers()][c.heads()];
        for (int l = 0; l < c.layers(); l++)
            for (int h = 0; h < c.heads(); h++)
                g[l][h] = recovered(patched(HookPoint.of(HookSite.ATTN_Z, l), -1, h * c.valueDim(), (h + 1) * c.valueDim()));
        return g;
    }

    public Heatmap positionHeatmap(HookSite site, double[][] grid, String[] tokenLabels, String modelName) {
        List<String> cols = new ArrayList<>();
        for (int p = 0; p < tokenLabels.length; p++) cols.add(p + " " + tokenLabels[p]);
        return new Heatmap("Activation patching (" + site.suffix() + "): " + modelName, subtitle(), "layer", "position",
                Ablation.labels("L", grid.length), cols, grid, null, true);
    }

    public Heatmap headHeatmap(double[][] grid, String modelName) {
        return new Heatmap("Activation patching (heads): " + modelName, subtitle(), "layer", "head",
                Ablation.labels("L", grid.length), Ablation.labels("H", grid[0].length), grid, null, true);
    }

    private String subtitle() {
        return String.format("Fraction of the clean %s recovered by patching each activation from the clean run into the corrupted run "
                + "(clean %.4f, corrupted %.4f).", metric.describe(), cleanScore, corruptedScore);
    }
}
