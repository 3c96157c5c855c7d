package dev.loupe.think.strategy;

import dev.loupe.think.verify.Verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Diverse verifier tree search (search-and-learn): N/M independent subtrees, each a greedy step search that
 * expands its one partial solution M ways and follows the best-scored step, so the budget is spread over
 * different first steps instead of collapsing onto one prefix as beam search can. The N/M leaves compete by
 * {@code rule}.
 */
public record Dvts(int n, int m, int maxSteps, Verifier scorer, Selection.Rule rule) implements Strategy {
    public Dvts {
        if (n < 1 || m < 1 || n % m != 0) throw new IllegalArgumentException("need n >= m >= 1 with m dividing n: n=" + n + " m=" + m);
        if (maxSteps < 1) throw new IllegalArgumentException("maxSteps must be at least 1");
    }

    @Override
    public String name() {
        return "dvts@" + n;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<Scored> leaves = new ArrayList<>();
        for (int t = 0; t < n / m; t++) {
            ctx.trace().add("subtree", "index", t);
            Steps.Node at = new Steps.Node("", 0, false);
            for (int depth = 0; depth < maxSteps && !at.complete(); depth++) {
                List<Steps.Node> children = Steps.expand(problem, at.text(), m, scorer, ctx, depth, t);
                if (children.isEmpty()) break;
                Steps.Node best = children.getFirst();
                for (Steps.Node c : children) if (c.score() > best.score()) best = c;
                at = best;
            }
            if (!at.text().isEmpty()) leaves.add(Steps.toScored(at, ctx));
        }
        return Selection.choose(leaves, rule, ctx.trace());
    }
}
