package dev.loupe.core.sample;

/** The truncation samplers of llama.cpp's chain, each re-derived from src/llama-sampler.cpp. min_keep is 0, as in llama.cpp's defaults. */
final class Truncation {
    private Truncation() {}

    /** Keeps the k highest logits, sorted; k of 0 or below keeps everything (unsorted). */
    static void topK(Candidates c, int k) {
        if (k > 0) c.keepTop(k);
    }

    /**
     * Keeps the smallest prefix, by descending probability, whose probability reaches p (always at least one token).
     * Unsorted candidates (top-k off) are sorted first, O(n log n).
     */
    static void topP(Candidates c, float p) {
        if (p >= 1f || c.size == 0) return;
        if (!c.sorted) c.keepTop(c.size);
        c.softmax();
        float cum = 0f;
        for (int i = 0; i < c.size; i++) {
            cum += c.probs[i];
            if (cum >= p) {
                c.size = i + 1;
                return;
            }
        }
    }

    /** Keeps tokens whose probability is at least p times the top token's, i.e. logit >= max + ln p. */
    static void minP(Candidates c, float p) {
        if (p <= 0f || c.size == 0) return;
        float max = c.maxLogit();
        float min = max + (float) Math.log(p);
        if (min > max) {
            c.keepTop(1); // p > 1: only the best token can qualify, as in llama.cpp
            return;
        }
        c.keepAtLeast(min);
    }

    /** Divides logits by the temperature; only for temperature > 0 (greedy is handled before the chain). */
    static void temperature(Candidates c, float temp) {
        if (temp == 1f) return;
        for (int i = 0; i < c.size; i++) c.logits[i] /= temp;
    }
}
