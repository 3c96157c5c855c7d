package dev.loupe.lens.position;

/**
 * What a position sweep needs from a model: how likely an answer is after a prompt, both as token ids. The engine
 * ({@link EngineScorer}, any GGUF) and any {@link dev.loupe.core.lm.LanguageModel} ({@link LanguageModelScorer},
 * e.g. a remote server) implement it, and so does a test's fake model.
 */
public interface AnswerScorer {

    /**
     * @param logProb sum of the answer tokens' natural-log probabilities
     * @param greedy  whether every answer token was the model's top choice (the answer is what greedy decoding says)
     * @param rank    how many tokens scored higher than the answer's first token (0 = top), or -1 if unknown
     */
    record Score(double logProb, boolean greedy, int rank) {}

    Score score(int[] prompt, int[] answer);
}
