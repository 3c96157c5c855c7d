package dev.loupe.core.speculate;

import dev.loupe.core.sample.SamplingParams;

/**
 * Guesses the tokens that follow a context, for the target model to check. A drafter may be wrong as often as it
 * likes: the {@link SpeculativeGenerator} keeps only what the target agrees with, so a bad drafter costs speed, never
 * correctness.
 */
public sealed interface Drafter extends AutoCloseable permits ModelDrafter, LookupDrafter {

    /**
     * Starts a generation: {@code context[0..length)} is what the target has been given so far. A model drafter feeds it
     * to its own model here (so that time counts as prompt processing), and samples with {@code params} (seeded from
     * {@code seed}) when they are not greedy.
     */
    void start(int[] context, int length, SamplingParams params, long seed);

    /**
     * Proposes up to {@code max} tokens to follow {@code context[0..length)} into {@code draft}; returns how many
     * (0 when it has no guess). The context may differ from the last call's anywhere after what was accepted.
     */
    int propose(int[] context, int length, int max, Draft draft);

    /** A short description for logs and JSON ("model NAME", "lookup n=3"). */
    String describe();

    @Override
    default void close() {}
}
