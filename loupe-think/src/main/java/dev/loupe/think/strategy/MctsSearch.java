package dev.loupe.think.strategy;

import dev.loupe.think.search.Mcts;
import dev.loupe.think.search.SearchTree;
import dev.loupe.think.verify.Verifier;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * MCTS over reasoning steps: a state is a partial solution; expanding it samples {@code k} next steps
 * (duplicates merged); a rollout samples the rest of the solution and the verifier's score of the finished text
 * is the value backed up. Every rollout is a finished solution, so after {@code iterations} rounds the answer is
 * the best-scored one seen (the earliest on ties), as rStar and llm-reasoners pick their best trajectory; the
 * most-visited path is traced to show where the search concentrated.
 */
public record MctsSearch(int iterations, int k, int maxSteps, double exploration, Verifier verifier) implements Strategy {
    public MctsSearch {
        if (iterations < 1 || k < 1 || maxSteps < 1) throw new IllegalArgumentException("iterations, k and maxSteps must be positive");
    }

    @Override
    public String name() {
        return "mcts@" + iterations;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        List<Scored> rollouts = new ArrayList<>();
        SearchTree<String> tree = new SearchTree<>() {
            @Override
            public List<String> children(String partial) {
                LinkedHashSet<String> distinct = new LinkedHashSet<>();
                for (String step : ctx.sampling().steps(problem.prompt() + partial, k)) distinct.add(partial + step);
                return new ArrayList<>(distinct);
            }

            @Override
            public boolean terminal(String partial) {
                return ctx.sampling().complete(partial) || ctx.sampling().stepCount(partial) >= maxSteps;
            }

            @Override
            public double value(String partial) {
                String full = partial;
                if (!terminal(partial)) {
                    List<String> rest = ctx.sampling().solutions(problem.prompt() + partial, 1);
                    if (rest.isEmpty()) return 0;   // budget spent
                    full = partial + rest.getFirst();
                }
                double v = verifier.score(problem, full, ctx.sampling());
                rollouts.add(new Scored(full, ctx.extractor().extract(full), v));
                return v;
            }
        };
        Mcts<String> mcts = new Mcts<>(tree, "", exploration);
        mcts.run(iterations, (i, node, v) -> ctx.trace().add("rollout", "iteration", i, "state", node.state(),
                "value", v, "visits", node.visits()));
        List<Mcts.Node<String>> path = mcts.bestPath();
        ctx.trace().add("path", "states", path.stream().map(Mcts.Node::state).toList(),
                "visits", path.stream().map(Mcts.Node::visits).toList(), "means", path.stream().map(Mcts.Node::mean).toList());
        return Selection.choose(rollouts, Selection.Rule.BEST, ctx.trace());
    }
}
