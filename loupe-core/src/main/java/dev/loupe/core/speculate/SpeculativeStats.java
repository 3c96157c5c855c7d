package dev.loupe.core.speculate;

/**
 * How a speculative generation went.
 *
 * @param targetPasses forward passes of the target model after the prompt (one per round: k + 1 tokens checked at once)
 * @param drafted      tokens the drafter proposed
 * @param accepted     proposed tokens the target kept
 */
public record SpeculativeStats(int targetPasses, int drafted, int accepted) {

    /** Kept / proposed; 0 when nothing was proposed. */
    public double acceptanceRate() {
        return drafted == 0 ? 0 : (double) accepted / drafted;
    }
}
