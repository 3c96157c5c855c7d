package dev.loupe.lens.induction;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Component;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.html.Heatmap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The repeated-random-tokens experiment of Olsson et al. (2022), "In-context learning and induction heads": a
 * sequence of S random tokens followed by the same S tokens. An induction head, at a token in the repeat, attends
 * to the token that followed that token's earlier occurrence (q - S + 1) and copies it, so the loss on the
 * repeated half drops far below the first half's. The induction score of a head is its mean attention to that
 * position over the repeated half; zero-ablating the top heads should bring the repeated half's loss back up.
 */
public final class InductionHeads {
    private InductionHeads() {}

    /**
     * @param scores          [layer][head] mean attention from a repeated token to the token after its previous occurrence
     * @param firstHalfLoss   mean loss predicting tokens of the first (random) half
     * @param repeatLoss      mean loss predicting tokens of the repeated half (after its first token)
     * @param topHeads        the heads with the highest scores, best first
     * @param ablatedRepeatLoss repeated-half loss with {@code topHeads} zero-ablated together
     */
    public record Result(double[][] scores, double firstHalfLoss, double repeatLoss, List<Component.Head> topHeads,
                         double ablatedRepeatLoss, int length, int sequences) {}

    /** The sequence [bos] + r + r for S random ids drawn from {@code candidates} (no BOS when bos < 0). */
    public static int[] sequence(long seed, int bos, int length, int[] candidates) {
        if (candidates.length < 2) throw new LoupeException("need at least two token ids to draw from");
        SplittableRandom r = new SplittableRandom(seed);
        int off = bos >= 0 ? 1 : 0;
        int[] s = new int[off + 2 * length];
        if (bos >= 0) s[0] = bos;
        for (int i = 0; i < length; i++) s[off + i] = s[off + length + i] = candidates[r.nextInt(candidates.length)];
        return s;
    }

    /** Runs the experiment over {@code sequences} random sequences of S = {@code length} tokens; ablates the top {@code topK} heads together. */
    public static Result run(HookedModel hm, int bos, int length, int[] candidates, int sequences, int topK, long seed) {
        int L = hm.config().layers(), H = hm.config().heads(), V = hm.config().vocabSize();
        int off = bos >= 0 ? 1 : 0, T = off + 2 * length;
        if (T > hm.config().contextLength()) throw new LoupeException("2 x " + length + " tokens exceed the model's context of " + hm.config().contextLength());
        double[][] scores = new double[L][H];
        double first = 0, repeat = 0;
        List<int[]> seqs = new ArrayList<>();
        // Predictions of the repeated half: from its first token (position off+S, unpredictable itself) onwards.
        Metric firstHalf = new Metric.Loss(off, off + length - 1);
        Metric repeatHalf = new Metric.Loss(off + length);
        for (int s = 0; s < sequences; s++) {
            int[] tokens = sequence(seed + s, bos, length, candidates);
            seqs.add(tokens);
            var run = hm.runWithCache(tokens, n -> n.endsWith("attn.hook_pattern"));
            first += firstHalf.score(run.logits(), tokens, V);
            repeat += repeatHalf.score(run.logits(), tokens, V);
            accumulateScores(run.cache(), scores, off, length, T);
        }
        for (double[] row : scores) for (int h = 0; h < H; h++) row[h] /= sequences * (double) length;
        List<Component.Head> top = top(scores, topK);
        double ablated = 0;
        for (int[] tokens : seqs) ablated += new Ablation(hm, tokens, repeatHalf, Ablation.Kind.ZERO).ablated(top);
        return new Result(scores, first / sequences, repeat / sequences, top, ablated / sequences, length, sequences);
    }

    private static void accumulateScores(ActivationCache c, double[][] scores, int off, int S, int T) {
        for (int l = 0; l < scores.length; l++) {
            float[] p = c.get("blocks." + l + ".attn.hook_pattern").data();
            for (int h = 0; h < scores[l].length; h++) {
                for (int q = off + S; q < T; q++) scores[l][h] += p[(h * T + q) * T + q - S + 1];
            }
        }
    }

    static List<Component.Head> top(double[][] scores, int k) {
        List<Component.Head> all = new ArrayList<>();
        for (int l = 0; l < scores.length; l++) for (int h = 0; h < scores[l].length; h++) all.add(new Component.Head(l, h));
        all.sort(Comparator.comparingDouble((Component.Head c) -> -scores[c.layer()][c.head()]));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    public static Heatmap heatmap(Result r, String modelName) {
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (int l = 0; l < r.scores().length; l++) rows.add("L" + l);
        for (int h = 0; h < r.scores()[0].length; h++) cols.add("H" + h);
        return new Heatmap("Induction heads: " + modelName, String.format(
                "Mean attention from each repeated token to the token after its earlier occurrence (%d sequences of 2 x %d random tokens). "
                        + "Loss: first half %.3f, repeated half %.3f, repeated half with %s zero-ablated %.3f.",
                r.sequences(), r.length(), r.firstHalfLoss(), r.repeatLoss(),
                String.join("+", r.topHeads().stream().map(Component::label).toList()), r.ablatedRepeatLoss()),
                "layer", "head", rows, cols, r.scores(), null, false);
    }
}
