package dev.loupe.core.sample;

/**
 * Forbids tokens before sampling (constrained decoding): sets the logits of tokens that may not come next to
 * negative infinity. Applied to the sampler's own copy, so logprobs still report the model's raw distribution.
 */
@FunctionalInterface
public interface TokenMask {
    void apply(float[] logits, int n);
}
