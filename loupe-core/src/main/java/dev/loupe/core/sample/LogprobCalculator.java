package dev.loupe.core.sample;

import java.util.ArrayList;
import java.util.List;

/** Computes {@link Logprobs} from raw logits; reuses its buffers, so only the returned records are allocated. */
final class LogprobCalculator {
    private final Candidates top = new Candidates();

    Logprobs compute(float[] logits, int n, int chosen, int topN) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[i] - max);
        float logZ = max + (float) Math.log(sum);
        List<Logprobs.TokenLogprob> alternatives = new ArrayList<>(topN);
        if (topN > 0) {
            top.reset(logits, n);
            top.keepTop(topN);
            for (int i = 0; i < top.size; i++) alternatives.add(new Logprobs.TokenLogprob(top.ids[i], top.logits[i] - logZ));
        }
        return new Logprobs(new Logprobs.TokenLogprob(chosen, logits[chosen] - logZ), alternatives);
    }
}
