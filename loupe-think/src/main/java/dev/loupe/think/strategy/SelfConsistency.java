package dev.loupe.think.strategy;

import java.util.ArrayList;
import java.util.List;

/** Self-consistency (Wang et al. 2022): N sampled solutions, the most frequent final answer wins. */
public record SelfConsistency(int n) implements Strategy {
    public SelfConsistency {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1");
    }

    @Override
    public String name() {
        return "majority@" + n;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<Scored> cands = new ArrayList<>();
        List<String> texts = ctx.sampling().solutions(problem.prompt(), n);
        for (int i = 0; i < texts.size(); i++) cands.add(Strategy.finish(problem, texts.get(i), ctx, null, i));
        return Selection.choose(cands, Selection.Rule.MAJORITY, ctx.trace());
    }
}
