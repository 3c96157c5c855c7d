package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.logit.TopK;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The effect of one steering vector against its coefficient. For each coefficient, with the vector added at every
 * position: the next-token probability of the target tokens after each prompt (summed over targets, averaged over
 * prompts), the logit difference mean(targets) − mean(foils) (shift-invariant, so comparable across coefficients),
 * the mean next-token loss on a text (how much the steering costs the model's language), and a greedy continuation
 * of the first prompt.
 */
public final class SteeringSweep {
    /** What to measure; {@code foils} and {@code lossText} may be empty, {@code targets} too. */
    public record Setup(List<int[]> prompts, int[] targets, int[] foils, int[] lossText, int sampleTokens) {
        public Setup {
            if (prompts.isEmpty()) throw new LoupeException("the sweep needs a prompt");
            if (foils.length > 0 && targets.length == 0) throw new LoupeException("foil tokens need target tokens");
            if (lossText.length == 1) throw new LoupeException("the loss text needs at least two tokens");
        }
    }

    /** One coefficient's measurements; NaN where the setup asked for nothing. */
    public record Row(float coef, double targetProb, double logitDiff, double loss, String sample) {}

    private SteeringSweep() {}

    public static List<Row> run(HookedModel hm, Tokenizer tok, SteeringVector v, float[] coefs, Setup s, IntConsumer progress) {
        int V = hm.config().vocabSize();
        List<Row> rows = new ArrayList<>();
        for (int ci = 0; ci < coefs.length; ci++) {
            float coef = coefs[ci];
            Steering steering = Steering.of(List.of(v.term(coef)));
            Hooks hooks = steering.install(hm.newHooks());
            double prob = 0, diff = 0;
            for (int[] ids : s.prompts) {
                float[] logits = hm.runWithHooks(ids, hooks);
                int off = (ids.length - 1) * V;
                for (float p : TopK.softmaxAt(logits, off, V, s.targets)) prob += p;
                if (s.foils.length > 0) diff += mean(logits, off, s.targets) - mean(logits, off, s.foils);
            }
            int n = s.prompts.size();
            double loss = s.lossText.length == 0 ? Double.NaN
                    : new Metric.Loss(0).score(hm.runWithHooks(s.lossText, hooks), s.lossText, V);
            rows.add(new Row(coef, s.targets.length == 0 ? Double.NaN : prob / n, s.foils.length == 0 ? Double.NaN : diff / n,
                    loss, sample(hm, tok, hooks, s.prompts.getFirst(), s.sampleTokens)));
            if (progress != null) progress.accept(ci + 1);
        }
        return rows;
    }

    /** A greedy continuation under {@code hooks} (they steer the prompt and every generated token). */
    static String sample(HookedModel hm, Tokenizer tok, Hooks hooks, int[] prompt, int tokens) {
        if (tokens <= 0) return "";
        int ctx = Math.min(hm.config().contextLength(), prompt.length + tokens + 1);
        try (Session session = new Session(hm.model(), ctx, hm.pool())) {
            session.forwardEngine().setHooks(hooks);
            return new Generator(session, tok).generate(prompt, new int[0], SamplingParams.greedy().withMaxTokens(tokens), null).text();
        }
    }

    private static double mean(float[] logits, int off, int[] ids) {
        double s = 0;
        for (int id : ids) s += logits[off + id];
        return s / ids.length;
    }
}
