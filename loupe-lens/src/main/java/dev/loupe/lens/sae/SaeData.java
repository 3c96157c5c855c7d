package dev.loupe.lens.sae;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.cache.CachedActivation;

import java.util.List;

/** Activations gathered from a corpus for SAE training, and the SAE spliced back into the model. */
public final class SaeData {
    private SaeData() {}

    /** Rows [rows][d] of one hook point over token sequences, in corpus order (positions concatenated). */
    public record Activations(String hook, float[] data, int rows, int width) {}

    /** Model loss (mean next-token cross-entropy over all sequences) with and without the SAE spliced in. */
    public record SpliceLoss(double clean, double spliced) {
        public double delta() {
            return spliced - clean;
        }
    }

    public static Activations collect(HookedModel hm, List<int[]> sequences, String hook) {
        HookPoint.parse(hook);
        int width = hm.config().dim(), total = 0;
        for (int[] s : sequences) total += s.length;
        float[] data = new float[total * width];
        int rows = 0;
        for (int[] s : sequences) {
            CachedActivation a = hm.runWithCache(s, hook::equals).cache().get(hook);
            if (a.rowSize() != width) throw new LoupeException("hook " + hook + " has rows of " + a.rowSize() + " values; an SAE needs a d_model site such as blocks.L.hook_resid_post");
            System.arraycopy(a.data(), 0, data, rows * width, s.length * width);
            rows += s.length;
        }
        return new Activations(hook, data, rows, width);
    }

    /** Runs each sequence twice: plain, and with every row at {@code hook} replaced by the SAE's reconstruction. */
    public static SpliceLoss spliceLoss(HookedModel hm, SparseAutoencoder sae, String hook, List<int[]> sequences) {
        if (sae.inputDim() != hm.config().dim()) throw new LoupeException("the SAE reads " + sae.inputDim() + " values per row; the model's d_model is " + hm.config().dim());
        Metric loss = new Metric.Loss(0);
        int vocab = hm.config().vocabSize();
        double clean = 0, spliced = 0;
        int n = 0;
        for (int[] s : sequences) {
            if (s.length < 2) continue;
            var hooks = hm.newHooks().add(hook, (p, t) -> sae.reconstructInPlace(t.data(), t.rows()));
            double w = s.length - 1;
            clean += w * loss.score(hm.run(s), s, vocab);
            spliced += w * loss.score(hm.runWithHooks(s, hooks), s, vocab);
            n += s.length - 1;
        }
        if (n == 0) throw new LoupeException("no sequence has two tokens to predict from");
        return new SpliceLoss(clean / n, spliced / n);
    }
}
