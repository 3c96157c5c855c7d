package dev.loupe.core.speculate;

import dev.loupe.core.generate.GenerationResult;

/** The generation (as plain decoding reports it) and how the speculation went. */
public record SpeculativeResult(GenerationResult generation, SpeculativeStats stats) {

    /** Tokens produced per target forward pass: 1 for plain decoding, up to k + 1. */
    public double tokensPerTargetPass() {
        return stats.targetPasses() == 0 ? 0 : (double) generation.ids().length / stats.targetPasses();
    }
}
