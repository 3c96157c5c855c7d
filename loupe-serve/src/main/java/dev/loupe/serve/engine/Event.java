package dev.loupe.serve.engine;

import dev.loupe.core.generate.FinishReason;
import dev.loupe.core.sample.Logprobs;

/** What the scheduler tells a request's handler, in order: pieces, then exactly one {@link Finished} or {@link Failed}. */
public sealed interface Event {

    /**
     * One sampled token and the text it released. Text may be empty (held back for a partial UTF-8 character or a
     * possible stop string) or carry earlier held-back text; {@code token} is -1 for the final flush of held text.
     *
     * @param logprobs null unless the request asked for logprobs
     */
    record Piece(String text, int token, Logprobs logprobs) implements Event {}

    /**
     * A prompt token's log-probability given the tokens before it, for requests that score their prompt (OpenAI's
     * echo with logprobs). Sent for every prompt token in order, before any piece; null logprobs for the first.
     */
    record PromptToken(int token, Logprobs logprobs) implements Event {}

    /**
     * @param cachedTokens prompt tokens taken from the prefix cache instead of being computed
     * @param queueNanos   from submission until a slot was assigned
     * @param promptNanos  from the slot assignment until the first token was sampled
     * @param genNanos     from the first token until the end
     */
    record Finished(FinishReason reason, String stopString, int promptTokens, int completionTokens, int cachedTokens,
                    long queueNanos, long promptNanos, long genNanos) implements Event {}

    /** Generation broke off with a user-facing reason. */
    record Failed(String message) implements Event {}
}
