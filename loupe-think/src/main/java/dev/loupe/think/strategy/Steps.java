package dev.loupe.think.strategy;

import dev.loupe.think.verify.Verifier;

import java.util.ArrayList;
import java.util.List;

/** Step-level expansion shared by beam search and DVTS: sample k next steps of a partial solution and score them. */
final class Steps {
    private Steps() {}

    /** A partial (or complete) solution in a step search, with its step score. */
    record Node(String text, double score, boolean complete) {}

    static List<Node> expand(Problem problem, String parent, int k, Verifier scorer, ThinkContext ctx, int depth, int parentIndex) {
        List<Node> out = new ArrayList<>();
        for (String step : ctx.sampling().steps(problem.prompt() + parent, k)) {
            String text = parent + step;
            double score = scorer.score(problem, text, ctx.sampling());
            boolean complete = ctx.sampling().complete(text);
            ctx.trace().add("step", "depth", depth, "parent", parentIndex, "step", step, "score", score, "complete", complete);
            out.add(new Node(text, score, complete));
        }
        return out;
    }

    /** The candidate a node stands for at the end of a search (its answer may be null when it never finished). */
    static Scored toScored(Node n, ThinkContext ctx) {
        return new Scored(n.text(), ctx.extractor().extract(n.text()), n.score());
    }
}
