package dev.loupe.lens.sae.browse;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.sae.SparseAutoencoder;

import java.util.List;

/**
 * Runs a model over token sequences, encodes its activations at the SAE's hook with the SAE, and gathers each
 * feature's statistics, top contexts and logit effects: what {@code loupe lens sae browse} shows (SAELens's feature
 * dashboards, Neuronpedia).
 */
public final class FeatureBrowser {
    /**
     * @param features  how many features to follow (the first ones)
     * @param contexts  top contexts kept per feature
     * @param before    tokens shown before the strongest token
     * @param after     tokens shown after it
     * @param effects   promoted and suppressed tokens listed per feature
     */
    public record Options(int features, int contexts, int before, int after, int effects) {}

    public record Result(String model, String hook, long tokens, int sequences, List<FeatureStats.Feature> features,
                         LogitEffects.Effects[] effects) {}

    private final HookedModel hm;
    private final SparseAutoencoder sae;
    private final String hook;
    private final FeatureStats stats;
    private final int skip;
    private final Options options;

    /** {@code skip}: leading positions of every sequence left out (1 when sequences start with BOS). */
    public FeatureBrowser(HookedModel hm, SparseAutoencoder sae, String hook, Options o, int skip) {
        if (sae.inputDim() != hm.config().dim()) throw new LoupeException("the SAE reads " + sae.inputDim() + " values per row; the model's d_model is " + hm.config().dim());
        if (o.features() < 1 || o.features() > sae.features()) throw new LoupeException("--features must be in [1, " + sae.features() + "]");
        if (o.contexts() < 1 || o.effects() < 1) throw new LoupeException("--top and the number of logit effects must be at least 1");
        this.hm = hm;
        this.sae = sae;
        this.hook = hook;
        this.skip = skip;
        this.options = o;
        this.stats = new FeatureStats(sae, o.features(), o.contexts(), o.before(), o.after());
    }

    /** Runs one sequence and adds its activations. */
    public void add(int[] tokens) {
        CachedActivation a = hm.runWithCache(tokens, hook::equals).cache().get(hook);
        if (a == null) throw new LoupeException("the model has no hook point " + hook);
        if (a.rowSize() != sae.inputDim()) throw new LoupeException("hook " + hook + " has rows of " + a.rowSize() + " values; the SAE reads " + sae.inputDim());
        stats.add(tokens, a.data(), tokens.length, Math.min(skip, tokens.length));
    }

    public long tokens() {
        return stats.tokens();
    }

    public Result result(String model) {
        LogitEffects.Effects[] e = LogitEffects.of(hm.model().weights(), sae, options.features(), options.effects());
        return new Result(model, hook, stats.tokens(), stats.sequences(), stats.features(), e);
    }
}
