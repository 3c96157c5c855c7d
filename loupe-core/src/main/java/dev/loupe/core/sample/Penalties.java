package dev.loupe.core.sample;

/**
 * Repetition, frequency and presence penalties over the last N tokens (llama.cpp's penalties sampler). Counting
 * uses a vocabulary-sized array kept between calls and cleared token by token, so a step costs O(N), not O(vocab).
 */
final class Penalties {
    private int[] counts = new int[0];

    /**
     * Penalizes {@code logits} (indexed by token id) for the tokens in the window of {@code history[0..length)}.
     */
    void apply(float[] logits, int n, int[] history, int length, SamplingParams p) {
        if (!p.penaltiesEnabled() || history == null || length == 0) return;
        if (counts.length < n) counts = new int[n];
        int from = p.penaltyLastN() < 0 ? 0 : Math.max(0, length - p.penaltyLastN());
        for (int i = from; i < length; i++) {
            int t = history[i];
            if (t >= 0 && t < n) counts[t]++;
        }
        for (int i = from; i < length; i++) {
            int t = history[i];
            if (t < 0 || t >= n || counts[t] == 0) continue;
            int count = counts[t];
            counts[t] = 0; // each token once, and the array is clean for the next call
            float l = logits[t];
            // Dividing a negative logit would make the token more likely; multiplying is llama.cpp's fix.
            l = l <= 0 ? l * p.repeatPenalty() : l / p.repeatPenalty();
            logits[t] = l - count * p.frequencyPenalty() - p.presencePenalty();
        }
    }
}
