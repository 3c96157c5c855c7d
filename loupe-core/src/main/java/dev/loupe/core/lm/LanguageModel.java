package dev.loupe.core.lm;

import dev.loupe.core.sample.SamplingParams;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one seam that evaluation, search and data tools use to talk to a model: the in-process engine
 * ({@link LocalLanguageModel}) and an HTTP client for any OpenAI-compatible server both implement it, so the
 * same code can score a tiny local model or a remote 70B one. Requests mirror lm-evaluation-harness's two
 * kinds: log-likelihood of a continuation, and generation.
 */
public interface LanguageModel extends AutoCloseable {

    /** A short name for reports (file name, or the server's model id). */
    String name();

    /**
     * Log-probability of {@code continuation} given {@code context}, summed over the continuation's tokens,
     * and whether every continuation token was the greedy choice (lm-evaluation-harness's is_greedy).
     * The context is tokenized with the model's BOS; the continuation is tokenized on its own boundary
     * as the harness does (context + continuation split at the token boundary).
     */
    LogLikelihood logLikelihood(String context, String continuation);

    /** Several requests at once; implementations may share prefixes or batch. */
    default List<LogLikelihood> logLikelihoods(List<Request> requests) {
        return requests.stream().map(r -> logLikelihood(r.context(), r.continuation())).toList();
    }

    /** Generates from a raw prompt; {@code onText} (nullable) receives text as it becomes final. */
    Completion complete(String prompt, SamplingParams params, Consumer<String> onText);

    /**
     * {@code n} sampled completions of one prompt, completion i drawn with seed {@code params.seed() + i} (so
     * the set is reproducible, and completion i is the same whatever n is). The default asks one at a time; the
     * in-process engine computes the prompt once and decodes the n together.
     */
    default List<Completion> completeMany(String prompt, SamplingParams params, int n) {
        List<Completion> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seed = params.seed() == SamplingParams.RANDOM_SEED ? SamplingParams.RANDOM_SEED : params.seed() + i;
            out.add(complete(prompt, params.withSeed(seed), null));
        }
        return out;
    }

    /** Whether {@link Completion#stopString()} is filled in (so "stopped at a stop string" and "end of text" differ). */
    default boolean reportsStopStrings() {
        return false;
    }

    @Override
    default void close() {}

    record Request(String context, String continuation) {}

    /**
     * @param logProb sum of natural-log probabilities of the continuation tokens
     * @param tokens  how many tokens the continuation took
     */
    record LogLikelihood(double logProb, boolean greedy, int tokens) {}

    /**
     * @param stopString which stop string ended the text, when the backend knows (the in-process engine does;
     *                   OpenAI's API does not say), else null
     */
    record Completion(String text, int promptTokens, int completionTokens, String finishReason, String stopString) {
        public Completion(String text, int promptTokens, int completionTokens, String finishReason) {
            this(text, promptTokens, completionTokens, finishReason, null);
        }
    }
}
