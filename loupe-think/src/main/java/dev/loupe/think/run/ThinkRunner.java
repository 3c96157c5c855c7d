package dev.loupe.think.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.answer.Answers;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;
import dev.loupe.think.strategy.Scored;
import dev.loupe.think.strategy.Strategy;
import dev.loupe.think.strategy.ThinkContext;
import dev.loupe.think.strategy.Trace;
import dev.loupe.think.verify.UnitTests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Runs one strategy over a list of problems: each problem gets its own {@link Sampling} with a seed derived from
 * the run's seed and the problem's id (so a subset or reordering reproduces the same per-problem result), its
 * answer is graded against the reference, and one JSONL trace row per problem explains every decision.
 */
public final class ThinkRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param stepDelimiter what ends a reasoning step for step-level strategies
     * @param tokenBudget   generated tokens allowed per problem (0: no limit)
     * @param grader        runs code problems' tests for grading (null when there are no code problems)
     */
    public record Settings(SamplingParams params, String stepDelimiter, long tokenBudget, long seed,
                           AnswerExtractor extractor, UnitTests grader) {}

    private ThinkRunner() {}

    public static Summary run(LanguageModel model, List<Problem> problems, Strategy strategy, Settings s,
                              Writer traces, IntConsumer progress) {
        long t0 = System.nanoTime();
        int correct = 0;
        long tokens = 0, generations = 0, verifierCalls = 0;
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            Sampling sampling = new Sampling(model, s.params(), s.stepDelimiter(), s.tokenBudget(), problemSeed(s.seed(), p.id()));
            Trace trace = new Trace();
            Scored chosen = strategy.solve(p, new ThinkContext(sampling, s.extractor(), trace));
            boolean ok = grade(p, chosen, s.grader());
            if (ok) correct++;
            tokens += sampling.generated();
            generations += sampling.generations();
            verifierCalls += sampling.verifierCalls();
            if (traces != null) writeRow(traces, p, strategy, chosen, ok, sampling, trace);
            if (progress != null) progress.accept(i + 1);
        }
        int n = problems.size();
        return new Summary(strategy.name(), n, correct, (double) correct / n, (double) tokens / n,
                (double) generations / n, (double) verifierCalls / n, (System.nanoTime() - t0) / 1e9);
    }

    /** A problem's seed: the run's seed mixed with the id (SplitMix64's finalizer), never the list position. */
    static long problemSeed(long seed, String id) {
        long z = seed * 0x9E3779B97F4A7C15L + id.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    static boolean grade(Problem p, Scored chosen, UnitTests grader) {
        if (chosen == null) return false;
        if (p.isCode()) {
            if (grader == null) throw new LoupeException("problem " + p.id() + " has tests but no sandbox to run them");
            return grader.run(p, chosen.text()).ok();
        }
        return Answers.equivalent(chosen.answer(), p.answer());
    }

    private static void writeRow(Writer out, Problem p, Strategy strategy, Scored chosen, boolean ok, Sampling sampling, Trace trace) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", p.id());
        row.put("strategy", strategy.name());
        row.put("reference", p.answer());
        row.put("answer", chosen == null ? null : chosen.answer());
        row.put("correct", ok);
        row.put("tokens_generated", sampling.generated());
        row.put("generations", sampling.generations());
        row.put("verifier_calls", sampling.verifierCalls());
        row.put("solution", chosen == null ? null : chosen.text());
        row.put("events", trace.events());
        try {
            out.write(JSON.writeValueAsString(row));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
