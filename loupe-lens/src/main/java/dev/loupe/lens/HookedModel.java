package dev.loupe.lens;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.model.Forward;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.cache.ActivationCache;

import java.util.function.Predicate;

/**
 * A model ready for interpretability, after TransformerLens's {@code HookedTransformer}: every call runs a whole
 * token sequence from position 0 in one forward batch (so each hook sees the whole sequence at once) and returns
 * the logits of every position, [tokens][vocab]. Not thread-safe; the pool does the parallel work.
 */
public final class HookedModel {
    private final Model model;
    private final ThreadPool pool;

    public HookedModel(Model model, ThreadPool pool) {
        this.model = model;
        this.pool = pool;
    }

    public Model model() {
        return model;
    }

    /** The threads the forward passes use (for callers that run their own {@code Session} on the same model). */
    public ThreadPool pool() {
        return pool;
    }

    public ModelConfig config() {
        return model.config();
    }

    /** A fresh, empty hook table sized for this model. */
    public Hooks newHooks() {
        return new Hooks(config().layers());
    }

    /** Logits of every position, no hooks. */
    public float[] run(int[] tokens) {
        return runWithHooks(tokens, null);
    }

    /** Logits of every position with {@code hooks} installed for this run (null for none). */
    public float[] runWithHooks(int[] tokens, Hooks hooks) {
        if (tokens.length == 0) throw new LoupeException("no tokens to run");
        Forward f = new Forward(model, pool, tokens.length, tokens.length);
        f.setHooks(hooks);
        try (Session s = new Session(model, tokens.length, f)) {
            return s.prefillAll(tokens);
        }
    }

    /** Logits of every position and the activations at every hook point whose name passes {@code names}. */
    public CachedRun runWithCache(int[] tokens, Predicate<String> names) {
        return runWithCache(tokens, names, null);
    }

    /** As {@link #runWithCache(int[], Predicate)}, with {@code hooks} also installed (they run before caching). */
    public CachedRun runWithCache(int[] tokens, Predicate<String> names, Hooks hooks) {
        ActivationCache cache = new ActivationCache(config(), tokens.length);
        Hooks h = hooks != null ? hooks : newHooks();
        h.addAll(names, cache.recorder());
        float[] logits = runWithHooks(tokens, h);
        return new CachedRun(logits, cache);
    }

    /** The model's final norm and unembedding applied to residual rows [rows][d_model] (the logit lens). */
    public float[] unembed(float[] resid, int rows) {
        return new Forward(model, pool, Math.max(1, Math.min(rows, Session.PREFILL_BATCH)), 1).unembed(resid, rows);
    }

    /** Logits of every position and the cached activations of one run. */
    public record CachedRun(float[] logits, ActivationCache cache) {}
}
