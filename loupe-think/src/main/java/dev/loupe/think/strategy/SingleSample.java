package dev.loupe.think.strategy;

import java.util.List;

/** The baseline: one sampled solution, taken as it is. */
public record SingleSample() implements Strategy {
    @Override
    public String name() {
        return "single";
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<String> s = ctx.sampling().solutions(problem.prompt(), 1);
        if (s.isEmpty()) return null;
        Scored c = Strategy.finish(problem, s.getFirst(), ctx, null, 0);
        ctx.trace().add("choose", "rule", "single", "answer", c.answer());
        return c;
    }
}
