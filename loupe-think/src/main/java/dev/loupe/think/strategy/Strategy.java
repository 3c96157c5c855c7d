package dev.loupe.think.strategy;

/**
 * A way to spend inference-time compute on one problem. Implementations only reach the model through
 * {@link Sampling}, so compute is counted the same way for all of them and runs reproduce from a seed.
 */
public sealed interface Strategy permits SingleSample, BestOfN, SelfConsistency, BeamSearch, Dvts, MctsSearch, SelfDebug {

    /** A short label for tables and plots, e.g. "majority@8". */
    String name();

    /** Solves {@code problem}, recording each decision in {@code ctx.trace()}; returns the chosen candidate or null. */
    Scored solve(Problem problem, ThinkContext ctx);

    /** Extracts, scores and traces a finished candidate: shared by every strategy. */
    static Scored finish(Problem problem, String text, ThinkContext ctx, dev.loupe.think.verify.Verifier verifier, int index) {
        String answer = ctx.extractor().extract(text);
        double score = verifier == null ? Double.NaN : verifier.score(problem, text, ctx.sampling());
        ctx.trace().add("candidate", "i", index, "text", text, "answer", answer, "score", score);
        return new Scored(text, answer, score);
    }
}
