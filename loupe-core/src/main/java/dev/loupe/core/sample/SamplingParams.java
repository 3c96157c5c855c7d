package dev.loupe.core.sample;

import java.util.List;

/**
 * How to pick tokens and when to stop. Defaults are llama.cpp's ({@code common_params_sampling}): temperature
 * 0.8, top-k 40, top-p 0.95, min-p 0.05, penalties off over the last 64 tokens.
 *
 * @param temperature 0 or below is greedy: the highest logit, ties to the lowest token id
 * @param topK 0 or below keeps the whole vocabulary
 * @param topP 1 keeps everything
 * @param minP 0 keeps everything
 * @param repeatPenalty 1 is off; logits of recent tokens are divided by it (multiplied when negative)
 * @param frequencyPenalty subtracted once per occurrence in the window
 * @param presencePenalty subtracted once if the token occurs in the window
 * @param penaltyLastN how many recent tokens the penalties look at; 0 turns them off, -1 means the whole history
 * @param seed {@link #RANDOM_SEED} draws a fresh seed; anything else makes sampling reproducible
 * @param maxTokens -1 for no limit
 * @param stop strings that end generation; the stop string itself is not part of the output
 * @param logprobs how many top alternatives to report per token; 0 reports none
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repeatPenalty,
        float frequencyPenalty,
        float presencePenalty,
        int penaltyLastN,
        long seed,
        int maxTokens,
        List<String> stop,
        int logprobs) {

    /** llama.cpp's LLAMA_DEFAULT_SEED plays the same role. */
    public static final long RANDOM_SEED = -1;

    public SamplingParams {
        stop = List.copyOf(stop);
        if (Float.isNaN(temperature) || Float.isNaN(topP) || Float.isNaN(minP)) throw new IllegalArgumentException("NaN sampling parameter");
        if (penaltyLastN < -1) throw new IllegalArgumentException("penaltyLastN must be -1, 0 or positive: " + penaltyLastN);
        if (logprobs < 0) throw new IllegalArgumentException("logprobs must be >= 0: " + logprobs);
        for (String s : stop) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
    }

    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 0f, 0f, 64, RANDOM_SEED, -1, List.of(), 0);
    }

    /** Greedy decoding with everything else at its default, as llama.cpp's {@code --temp 0}. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0f);
    }

    public boolean isGreedy() {
        return temperature <= 0f;
    }

    public boolean penaltiesEnabled() {
        return penaltyLastN != 0 && (repeatPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f);
    }

    public SamplingParams withTemperature(float v) {
        return new SamplingParams(v, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, stop, logprobs);
    }

    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, stop, logprobs);
    }

    public SamplingParams withTopP(float v) {
        return new SamplingParams(temperature, topK, v, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, stop, logprobs);
    }

    public SamplingParams withMinP(float v) {
        return new SamplingParams(temperature, topK, topP, v, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, stop, logprobs);
    }

    public SamplingParams withPenalties(float repeat, float frequency, float presence, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, repeat, frequency, presence, lastN, seed, maxTokens, stop, logprobs);
    }

    public SamplingParams withSeed(long v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, v, maxTokens, stop, logprobs);
    }

    public SamplingParams withMaxTokens(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, v, stop, logprobs);
    }

    public SamplingParams withStop(List<String> v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, v, logprobs);
    }

    public SamplingParams withLogprobs(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, maxTokens, stop, v);
    }
}
