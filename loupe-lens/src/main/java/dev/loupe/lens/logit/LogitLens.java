package dev.loupe.lens.logit;

import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.ActivationCache;

import java.util.ArrayList;
import java.util.List;

/**
 * The logit lens (nostalgebraist, 2020): decode the residual stream after every layer with the model's own final
 * norm and unembedding, to see what each layer "would predict". Row 0 is the embedding ({@code hook_embed}), row
 * l+1 the output of block l ({@code blocks.l.hook_resid_post}); the last row is the model's prediction.
 */
public final class LogitLens {
    private LogitLens() {}

    /** One row (layer) of the lens: for each position, the top-k tokens and their probabilities. */
    public record Layer(String name, int[][] topIds, float[][] topProbs) {}

    public record Result(int[] tokens, List<Layer> layers) {}

    public static Result run(HookedModel hm, int[] tokens, int k) {
        int L = hm.config().layers(), T = tokens.length, V = hm.config().vocabSize();
        ActivationCache cache = hm.runWithCache(tokens, n -> n.equals("hook_embed") || n.endsWith(".hook_resid_post")).cache();
        List<Layer> layers = new ArrayList<>();
        for (int l = -1; l < L; l++) {
            String name = l < 0 ? "hook_embed" : "blocks." + l + ".hook_resid_post";
            float[] logits = hm.unembed(cache.get(name).data(), T);
            int[][] ids = new int[T][];
            float[][] probs = new float[T][];
            for (int p = 0; p < T; p++) {
                ids[p] = TopK.indices(logits, p * V, V, k);
                probs[p] = TopK.softmaxAt(logits, p * V, V, ids[p]);
            }
            layers.add(new Layer(l < 0 ? "embed" : "L" + l, ids, probs));
        }
        return new Result(tokens, layers);
    }
}
