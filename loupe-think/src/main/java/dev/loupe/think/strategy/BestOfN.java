package dev.loupe.think.strategy;

import dev.loupe.think.verify.Verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-N: N sampled solutions scored by a verifier; {@code weighted} sums the scores of candidates that
 * reach the same answer and picks the best answer (search-and-learn's weighted best-of-N), otherwise the single
 * best-scored candidate wins.
 */
public record BestOfN(int n, Verifier verifier, boolean weighted) implements Strategy {
    public BestOfN {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1");
    }

    @Override
    public String name() {
        return (weighted ? "weighted-best-of@" : "best-of@") + n;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<Scored> cands = new ArrayList<>();
        List<String> texts = ctx.sampling().solutions(problem.prompt(), n);
        for (int i = 0; i < texts.size(); i++) cands.add(Strategy.finish(problem, texts.get(i), ctx, verifier, i));
        return Selection.choose(cands, weighted ? Selection.Rule.WEIGHTED : Selection.Rule.BEST, ctx.trace());
    }
}
