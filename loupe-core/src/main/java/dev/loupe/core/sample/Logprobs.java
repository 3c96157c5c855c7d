package dev.loupe.core.sample;

import java.util.List;

/**
 * Log-probabilities for one generated token: the chosen token's and the {@code top} most likely alternatives
 * (descending), all under the model's own distribution, i.e. log-softmax of the raw logits before penalties and
 * temperature. That is what llama-server reports by default and what vLLM's default {@code raw_logprobs} mode
 * reports, so numbers do not move when a user changes sampling settings.
 */
public record Logprobs(TokenLogprob chosen, List<TokenLogprob> top) {
    public record TokenLogprob(int token, float logprob) {}

    public Logprobs {
        top = List.copyOf(top);
    }
}
