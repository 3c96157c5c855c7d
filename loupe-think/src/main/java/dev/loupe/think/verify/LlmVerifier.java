package dev.loupe.think.verify;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;

import java.util.List;

/**
 * LLM-as-verifier: asks a model whether the solution is correct and reads the answer off the log-probabilities
 * of " Yes" and " No" after the question, score = P(Yes) / (P(Yes) + P(No)). The judge may be the generating
 * model or another one (a larger remote model, say).
 */
public final class LlmVerifier implements Verifier {
    /** {problem} and {solution} are filled in; the continuations " Yes"/" No" follow the template. */
    public static final String DEFAULT_TEMPLATE = "{problem}{solution}\nIs the solution above correct? Answer Yes or No.\nAnswer:";

    private final LanguageModel judge;
    private final String template;

    /** @param judge the model that judges; null means the model that generates */
    public LlmVerifier(LanguageModel judge, String template) {
        this.judge = judge;
        this.template = template;
    }

    @Override
    public String name() {
        return "llm";
    }

    @Override
    public double score(Problem problem, String solution, Sampling sampling) {
        LanguageModel m = judge != null ? judge : sampling.model();
        String context = template.replace("{problem}", problem.prompt()).replace("{solution}", solution);
        List<LogLikelihood> ll = m.logLikelihoods(List.of(
                new LanguageModel.Request(context, " Yes"), new LanguageModel.Request(context, " No")));
        sampling.countVerifierCall();
        return yesProbability(ll.get(0).logProb(), ll.get(1).logProb());
    }

    /** P(yes) / (P(yes) + P(no)) from log-probabilities, computed stably. */
    static double yesProbability(double logYes, double logNo) {
        return 1.0 / (1.0 + Math.exp(logNo - logYes));
    }
}
