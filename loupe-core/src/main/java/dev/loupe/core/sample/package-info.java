/**
 * Choosing tokens and stopping: {@link dev.loupe.core.sample.SamplingParams} (llama.cpp's defaults),
 * {@link dev.loupe.core.sample.Sampler} (one per sequence; penalties, top-k, top-p, min-p, temperature, seeded draw,
 * greedy at temperature 0), {@link dev.loupe.core.sample.Logprobs} (log-softmax of the raw logits) and
 * {@link dev.loupe.core.sample.StopMatcher} (stop strings over streamed text). The truncation steps are
 * re-derivations of llama.cpp's src/llama-sampler.cpp and are checked against its tests/test-sampling.cpp.
 */
package dev.loupe.core.sample;
