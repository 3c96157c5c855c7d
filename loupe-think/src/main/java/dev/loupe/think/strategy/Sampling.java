package dev.loupe.think.strategy;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LanguageModel.Completion;
import dev.loupe.core.sample.SamplingParams;

import java.util.ArrayList;
import java.util.List;

/**
 * A strategy's only way to the model for one problem: samples whole solutions or single reasoning steps, gives
 * every request its own seed (derived from the run's seed, the problem and a request counter, so a run
 * reproduces exactly), and counts the compute used against an optional token budget.
 */
public final class Sampling {
    private final LanguageModel model;
    private final SamplingParams params;
    private final String stepDelimiter;
    private final long tokenBudget;
    private final long seed;
    private long requests;
    private long generated;
    private long verifierCalls;
    private int generations;

    /**
     * @param params        temperature, max tokens and the stop strings that end a solution
     * @param stepDelimiter what ends one reasoning step (";" or "\n"), for step-level search
     * @param tokenBudget   generated tokens allowed for this problem; 0 for no limit. Once spent, requests
     *                      return nothing and the strategy decides with what it has.
     */
    public Sampling(LanguageModel model, SamplingParams params, String stepDelimiter, long tokenBudget, long seed) {
        this.model = model;
        this.params = params;
        this.stepDelimiter = stepDelimiter;
        this.tokenBudget = tokenBudget;
        this.seed = seed;
    }

    public LanguageModel model() {
        return model;
    }

    /** {@code n} whole solutions continuing {@code prompt} (fewer, maybe none, when the budget runs out). */
    public List<String> solutions(String prompt, int n) {
        return texts(prompt, n, params);
    }

    /**
     * {@code n} next steps continuing {@code prefix}. A step that ended at the delimiter carries it; one without
     * it is the solution's last step.
     */
    public List<String> steps(String prefix, int n) {
        List<String> stops = new ArrayList<>(params.stop());
        stops.add(stepDelimiter);
        List<String> out = new ArrayList<>();
        for (Completion c : completions(prefix, n, params.withStop(stops))) {
            boolean atDelimiter = c.finishReason().equals("stop") && stoppedAtDelimiter(c);
            out.add(atDelimiter ? c.text() + stepDelimiter : c.text());
        }
        return out;
    }

    /**
     * Whether a step that stopped ended at the delimiter (rather than at a solution stop string or end of text).
     * A backend that does not say which stop fired (OpenAI's API) is taken to have stopped at the delimiter;
     * the strategies' step limit bounds the search.
     */
    private boolean stoppedAtDelimiter(Completion c) {
        return model.reportsStopStrings() ? stepDelimiter.equals(c.stopString()) : true;
    }

    /** Whether a partial solution (prompt excluded) is complete: its last step did not end at the delimiter. */
    public boolean complete(String partial) {
        return !partial.isEmpty() && !partial.endsWith(stepDelimiter);
    }

    /** How many steps a partial solution has finished (delimiters it contains). */
    public int stepCount(String partial) {
        int n = 0;
        for (int at = partial.indexOf(stepDelimiter); at >= 0; at = partial.indexOf(stepDelimiter, at + stepDelimiter.length())) n++;
        return n;
    }

    /** Counts one model call made by a verifier (a yes/no judgement). */
    public void countVerifierCall() {
        verifierCalls++;
    }

    public boolean budgetLeft() {
        return tokenBudget <= 0 || generated < tokenBudget;
    }

    public long generated() {
        return generated;
    }

    public long verifierCalls() {
        return verifierCalls;
    }

    public int generations() {
        return generations;
    }

    private List<String> texts(String prompt, int n, SamplingParams p) {
        List<String> out = new ArrayList<>();
        for (Completion c : completions(prompt, n, p)) out.add(c.text());
        return out;
    }

    private List<Completion> completions(String prompt, int n, SamplingParams p) {
        if (n <= 0 || !budgetLeft()) return List.of();
        long s = seed * 1_000_003L + (requests++) * 10_007L;
        List<Completion> cs = model.completeMany(prompt, p.withSeed(s & Long.MAX_VALUE), n);
        for (Completion c : cs) generated += c.completionTokens();
        generations += cs.size();
        return cs;
    }
}
