package dev.loupe.serve.http;

import dev.loupe.core.sample.SamplingParams;

import java.util.List;

/**
 * Sampling settings from a request. Unset fields take llama-server's defaults ({@link SamplingParams#defaults()}),
 * so a request behaves as it would against llama.cpp. OpenAI and Ollama name the same knobs differently.
 */
final class SamplingFields {
    /** OpenAI allows up to 20 alternatives per token. */
    static final int MAX_TOP_LOGPROBS = 20;

    private SamplingFields() {}

    /**
     * OpenAI's fields (plus llama-server's top_k, min_p, repeat_penalty). {@code logprobs} is the number of
     * alternatives wanted, already read by the caller, since chat and completions spell it differently.
     */
    static SamplingParams openAi(Body b, int defaultMaxTokens, int logprobs) {
        SamplingParams d = SamplingParams.defaults();
        long maxTokens = b.has("max_completion_tokens") ? b.integer("max_completion_tokens", -1, -1, Integer.MAX_VALUE)
                : b.integer("max_tokens", defaultMaxTokens, -1, Integer.MAX_VALUE);
        if (b.integer("n", 1, 1, Integer.MAX_VALUE) != 1) throw ApiError.badRequest("only n = 1 is supported", "n");
        String limitField = b.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (maxTokens == 0) throw ApiError.badRequest("'" + limitField + "' must be at least 1, or -1 for no limit", limitField);
        List<String> stop = b.strings("stop");
        return new SamplingParams(
                (float) b.number("temperature", d.temperature(), 0, 2),
                (int) b.integer("top_k", d.topK(), 0, Integer.MAX_VALUE),
                (float) b.number("top_p", d.topP(), 0, 1),
                (float) b.number("min_p", d.minP(), 0, 1),
                (float) b.number("repeat_penalty", d.repeatPenalty(), 0, 10),
                (float) b.number("frequency_penalty", d.frequencyPenalty(), -2, 2),
                (float) b.number("presence_penalty", d.presencePenalty(), -2, 2),
                (int) b.integer("repeat_last_n", d.penaltyLastN(), -1, Integer.MAX_VALUE),
                b.integer("seed", SamplingParams.RANDOM_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
                (int) maxTokens, stop, logprobs);
    }

    /** Ollama's {@code options} object. */
    static SamplingParams ollama(Body options) {
        SamplingParams d = SamplingParams.defaults();
        long limit = options.integer("num_predict", -1, -2, Integer.MAX_VALUE);
        if (limit == 0) throw ApiError.badRequest("'num_predict' must be at least 1, or -1 for no limit", "num_predict");
        return new SamplingParams(
                (float) options.number("temperature", d.temperature(), 0, 100),
                (int) options.integer("top_k", d.topK(), 0, Integer.MAX_VALUE),
                (float) options.number("top_p", d.topP(), 0, 1),
                (float) options.number("min_p", d.minP(), 0, 1),
                (float) options.number("repeat_penalty", d.repeatPenalty(), 0, 10),
                (float) options.number("frequency_penalty", d.frequencyPenalty(), -100, 100),
                (float) options.number("presence_penalty", d.presencePenalty(), -100, 100),
                (int) options.integer("repeat_last_n", d.penaltyLastN(), -1, Integer.MAX_VALUE),
                options.integer("seed", SamplingParams.RANDOM_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
                // -2 is Ollama's "fill the context", which is where -1 stops too.
                (int) Math.max(-1, limit),
                options.strings("stop"), 0);
    }
}
