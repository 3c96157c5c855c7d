package dev.loupe.think.verify;

import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;

/**
 * Scores a solution, or a partial one (as a step scorer for beam search, DVTS and MCTS), in [0, 1]: higher is
 * more likely right. Never sees the reference answer. Pluggable: an LLM judging yes/no ({@link LlmVerifier}),
 * a programmatic checker ({@link ArithmeticCheck}), unit tests ({@link UnitTests}).
 */
public interface Verifier {

    /** A short name for traces and plots. */
    String name();

    /**
     * @param solution the model's text after the prompt so far (complete or partial)
     * @param sampling the problem's model access, for verifiers that ask the model (their tokens are counted there)
     */
    double score(Problem problem, String solution, Sampling sampling);
}
