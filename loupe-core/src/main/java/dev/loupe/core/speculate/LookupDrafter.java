package dev.loupe.core.speculate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.sample.SamplingParams;

/**
 * Prompt lookup decoding (Saxena 2023; llama.cpp's {@code lookup} example): no draft model. The last n tokens of the
 * context are looked for earlier in the context; if found, the tokens that followed them there are the guess. Text
 * that quotes, edits or summarizes its prompt (code, extraction, chat over a document) repeats long spans, and those
 * come out many tokens per target pass. The longest n-gram wins (n from {@code maxNgram} down to {@code minNgram});
 * among its matches the most recent, as nearby text predicts best.
 *
 * <p>The search scans the context backwards, O(length · n) comparisons per round with no allocation; at a few
 * thousand tokens that is microseconds against a forward pass of milliseconds.
 */
public final class LookupDrafter implements Drafter {
    private final int maxNgram;
    private final int minNgram;

    public LookupDrafter(int maxNgram, int minNgram) {
        if (minNgram < 1 || maxNgram < minNgram) throw new LoupeException("lookup n-gram sizes must satisfy 1 <= min <= max, got " + minNgram + ".." + maxNgram);
        this.maxNgram = maxNgram;
        this.minNgram = minNgram;
    }

    @Override
    public void start(int[] context, int length, SamplingParams params, long seed) {
        // Nothing to prepare: the context is the whole model.
    }

    @Override
    public int propose(int[] context, int length, int max, Draft draft) {
        draft.setSampled(false);
        for (int n = Math.min(maxNgram, length - 1); n >= minNgram; n--) {
            int at = lastEarlierMatch(context, length, n);
            if (at < 0) continue;
            int from = at + n, count = Math.min(max, length - from);
            for (int i = 0; i < count; i++) draft.setToken(i, context[from + i]);
            return count;
        }
        return 0;
    }

    /** The start of the latest occurrence of the context's last n tokens before the end, or -1. */
    static int lastEarlierMatch(int[] context, int length, int n) {
        int tail = length - n;
        for (int start = tail - 1; start >= 0; start--) {
            int i = 0;
            while (i < n && context[start + i] == context[tail + i]) i++;
            if (i == n) return start;
        }
        return -1;
    }

    @Override
    public String describe() {
        return "lookup n=" + (minNgram == maxNgram ? maxNgram : minNgram + ".." + maxNgram);
    }
}
