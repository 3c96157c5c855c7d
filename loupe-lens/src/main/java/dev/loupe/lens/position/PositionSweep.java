package dev.loupe.lens.position;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Lost in the middle (Liu et al. 2023), as a passkey retrieval: a fact ("The passkey is 4821.") is placed at K
 * relative depths of a long filler text, a query follows, and the model is scored on the answer at each depth. A
 * model that uses its whole context scores alike everywhere; real ones tend to do best with the fact near the start
 * or the end (a U). Prompts are built from token ids, so the fact lands exactly where asked:
 * {@code prefix | filler[0, p) | fact | filler[p, F) | query}, with F filler tokens filling the prompt to its length
 * and p = round(depth · F). Trial t takes its filler from a different stretch of the filler tokens.
 */
public final class PositionSweep {
    /**
     * @param prefix  tokens before everything (the BOS, or nothing)
     * @param filler  filler tokens; trial t uses filler[t·F, (t+1)·F)
     * @param length  prompt length in tokens, prefix and query included
     */
    public record Setup(int[] prefix, int[] filler, int[] fact, int[] query, int[] answer, int length) {
        public Setup {
            if (fact.length == 0 || query.length == 0 || answer.length == 0) throw new LoupeException("the fact, query and answer need at least one token each");
            if (fillerLength(prefix, fact, query, length) < 1) {
                throw new LoupeException("a prompt of " + length + " tokens has no room for filler around a " + fact.length + "-token fact and a " + query.length + "-token query");
            }
        }

        /** Filler tokens in each prompt. */
        public int fillerTokens() {
            return fillerLength(prefix, fact, query, length);
        }

        /** How many trials the filler has stretches for. */
        public int trials() {
            return filler.length / fillerTokens();
        }

        private static int fillerLength(int[] prefix, int[] fact, int[] query, int length) {
            return length - prefix.length - fact.length - query.length;
        }
    }

    /** One prompt: its tokens and where the fact starts in them. */
    public record Prompt(int[] tokens, int factStart) {}

    /** Averages over trials at one depth. {@code meanRank} is -1 when the scorer does not know ranks. */
    public record Point(double depth, int factStart, double accuracy, double meanLogProb, double meanRank) {}

    public record Result(List<Point> points, int trials, int length) {}

    private PositionSweep() {}

    /** The K depths 0, 1/(K-1), ..., 1 (K = 1: the middle). */
    public static double[] depths(int k) {
        if (k < 1) throw new LoupeException("the sweep needs at least one position");
        double[] d = new double[k];
        for (int i = 0; i < k; i++) d[i] = k == 1 ? 0.5 : i / (double) (k - 1);
        return d;
    }

    public static Prompt build(Setup s, double depth, int trial) {
        if (depth < 0 || depth > 1) throw new LoupeException("depth " + depth + " is not in [0, 1]");
        int F = s.fillerTokens(), p = (int) Math.round(depth * F), from = trial * F;
        if (trial < 0 || from + F > s.filler().length) throw new LoupeException("the filler has " + s.filler().length + " tokens, not enough for trial " + (trial + 1) + " of " + F);
        int[] out = new int[s.length()];
        int at = 0;
        at = put(out, at, s.prefix(), 0, s.prefix().length);
        at = put(out, at, s.filler(), from, p);
        int factStart = at;
        at = put(out, at, s.fact(), 0, s.fact().length);
        at = put(out, at, s.filler(), from + p, F - p);
        put(out, at, s.query(), 0, s.query().length);
        return new Prompt(out, factStart);
    }

    /**
     * Scores every depth over {@code trials} filler stretches; {@code onPrompt} sees the count of prompts done. Trials
     * are the outer loop so consecutive prompts share their filler up to the fact (the engine reuses that prefix).
     */
    public static Result run(AnswerScorer scorer, Setup s, double[] depths, int trials, IntConsumer onPrompt) {
        if (trials < 1) throw new LoupeException("--trials must be at least 1");
        if (trials > s.trials()) throw new LoupeException(trials + " trials need " + (long) trials * s.fillerTokens() + " filler tokens; the filler has " + s.filler().length);
        int k = depths.length, done = 0;
        double[] correct = new double[k], lp = new double[k], rank = new double[k];
        boolean ranks = true;
        for (int t = 0; t < trials; t++) {
            for (int i = 0; i < k; i++) {
                Prompt pr = build(s, depths[i], t);
                AnswerScorer.Score sc = scorer.score(pr.tokens(), s.answer());
                if (sc.greedy()) correct[i]++;
                lp[i] += sc.logProb();
                rank[i] += sc.rank();
                if (sc.rank() < 0) ranks = false;
                if (onPrompt != null) onPrompt.accept(++done);
            }
        }
        List<Point> points = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            points.add(new Point(depths[i], build(s, depths[i], 0).factStart(), correct[i] / trials, lp[i] / trials, ranks ? rank[i] / trials : -1));
        }
        return new Result(points, trials, s.length());
    }

    private static int put(int[] dst, int at, int[] src, int from, int n) {
        System.arraycopy(src, from, dst, at, n);
        return at + n;
    }
}
