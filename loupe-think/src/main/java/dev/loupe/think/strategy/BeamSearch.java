package dev.loupe.think.strategy;

import dev.loupe.think.verify.Verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over reasoning steps guided by a step scorer, as search-and-learn does it with a process reward
 * model: sample N first steps; at each depth keep the N/M best unfinished partial solutions and expand each M
 * times; a solution that finishes leaves the beam. Stops when N solutions have finished, nothing is left, or at
 * {@code maxSteps}; the answer is chosen among the finished ones by {@code rule} (BEST or WEIGHTED).
 */
public record BeamSearch(int n, int m, int maxSteps, Verifier scorer, Selection.Rule rule) implements Strategy {
    public BeamSearch {
        if (n < 1 || m < 1 || n % m != 0) throw new IllegalArgumentException("need n >= m >= 1 with m dividing n: n=" + n + " m=" + m);
        if (maxSteps < 1) throw new IllegalArgumentException("maxSteps must be at least 1");
    }

    @Override
    public String name() {
        return "beam@" + n;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<Steps.Node> frontier = List.of(new Steps.Node("", 0, false));
        List<Scored> finished = new ArrayList<>();
        for (int depth = 0; depth < maxSteps && !frontier.isEmpty() && finished.size() < n; depth++) {
            List<Steps.Node> children = new ArrayList<>();
            for (int p = 0; p < frontier.size(); p++) {
                int k = depth == 0 ? n : m;
                children.addAll(Steps.expand(problem, frontier.get(p).text(), k, scorer, ctx, depth, p));
            }
            List<Steps.Node> open = new ArrayList<>();
            for (Steps.Node c : children) {
                if (c.complete()) finished.add(Steps.toScored(c, ctx));
                else open.add(c);
            }
            open.sort(Comparator.comparingDouble(Steps.Node::score).reversed());   // stable: ties keep sample order
            frontier = open.subList(0, Math.min(open.size(), Math.max(1, n / m)));
            ctx.trace().add("keep", "depth", depth, "kept", frontier.stream().map(Steps.Node::score).toList(),
                    "finished", finished.size());
        }
        // Beams cut off by the step limit still compete, scored as they stand.
        for (Steps.Node f : frontier) if (finished.size() < n) finished.add(Steps.toScored(f, ctx));
        return Selection.choose(finished, rule, ctx.trace());
    }
}
