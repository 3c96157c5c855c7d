package dev.loupe.core.generate;

import dev.loupe.core.sample.Logprobs;

import java.util.List;

/**
 * What one generation produced and how fast.
 *
 * @param ids      generated ids, including an end-of-generation token if one was sampled
 * @param text     the generated text, cut before a stop string
 * @param logprobs one entry per generated id when logprobs were asked for, else empty
 */
public record GenerationResult(int[] promptIds, int[] ids, String text, FinishReason finishReason, String stopString,
                               long promptNanos, long genNanos, List<Logprobs> logprobs) {

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptIds.length * 1e9 / promptNanos;
    }

    /** Generated tokens per second, counting from the first sampled token (prompt processing excluded). */
    public double genTokensPerSecond() {
        return genNanos == 0 ? 0 : ids.length * 1e9 / genNanos;
    }
}
