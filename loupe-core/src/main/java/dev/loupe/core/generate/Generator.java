package dev.loupe.core.generate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.Logprobs;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.StopMatcher;
import dev.loupe.core.sample.constrain.TokenConstraint;
import dev.loupe.core.tokenizer.StreamingDecoder;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The text-generation loop: prefill the prompt, then sample, stream and stop. It continues the session
 * from where it stands, so a chat can keep its cache between turns.
 */
public final class Generator {
    private final Session session;
    private final Tokenizer tokenizer;
    private Runnable afterPrompt;

    public Generator(Session session, Tokenizer tokenizer) {
        this.session = session;
        this.tokenizer = tokenizer;
    }

    /** Runs {@code action} once the prompt is in the cache, before the first token is drawn (e.g. to save the session). */
    public Generator afterPrompt(Runnable action) {
        this.afterPrompt = action;
        return this;
    }

    /**
     * @param promptIds tokens to feed before generating (may be empty when the session already holds context)
     * @param history   tokens already in the session, for repetition penalties (may be empty)
     * @param onText    receives text as soon as it is final (never part of a stop string); may be null
     */
    public GenerationResult generate(int[] promptIds, int[] history, SamplingParams params, Consumer<String> onText) {
        return generate(promptIds, history, params, onText, null);
    }

    /**
     * As {@link #generate(int[], int[], SamplingParams, Consumer)}, each token drawn under {@code constraint} (null:
     * none), which also ends generation once its value is closed.
     */
    public GenerationResult generate(int[] promptIds, int[] history, SamplingParams params, Consumer<String> onText,
                                     TokenConstraint constraint) {
        if (promptIds.length == 0 && session.position() == 0) throw new LoupeException("the prompt is empty");
        // Under an evicting context policy a long prompt streams through the cache; without one it must fit.
        if (!session.evicts() && session.position() + promptIds.length >= session.contextLength()) {
            throw new LoupeException("the prompt (" + promptIds.length + " tokens) does not fit the context of "
                    + session.contextLength() + " tokens; raise --ctx-size");
        }
        Sampler sampler = new Sampler(params);
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        StopMatcher stops = new StopMatcher(params.stop());
        StringBuilder text = new StringBuilder();
        List<Logprobs> logprobs = new ArrayList<>();

        int[] all = Arrays.copyOf(history, history.length + promptIds.length + Math.max(0, params.maxTokens()) + 16);
        System.arraycopy(promptIds, 0, all, history.length, promptIds.length);
        int n = history.length + promptIds.length;

        long t0 = System.nanoTime();
        float[] logits = promptIds.length > 0 ? session.prefill(promptIds) : null;
        if (logits == null) throw new LoupeException("nothing to continue from: give a prompt");
        long t1 = System.nanoTime();
        if (afterPrompt != null) afterPrompt.run();
        long genStart = System.nanoTime(); // saving is neither prompt nor generation time

        int[] out = new int[16];
        int count = 0;
        FinishReason reason = FinishReason.LENGTH;
        String stopString = null;
        while (params.maxTokens() < 0 || count < params.maxTokens()) {
            if (constraint != null) constraint.budget(budget(params, count));
            int next = sampler.sample(logits, all, n, constraint);
            if (constraint != null && !constraint.accept(next)) {
                reason = FinishReason.STOP; // nothing the vocabulary has can continue the value
                break;
            }
            if (params.logprobs() > 0) logprobs.add(sampler.logprobs(logits, next));
            if (count == out.length) out = Arrays.copyOf(out, count * 2);
            out[count++] = next;
            if (n == all.length) all = Arrays.copyOf(all, n * 2);
            all[n++] = next;
            if (tokenizer.isEndOfGeneration(next)) {
                reason = FinishReason.STOP;
                break;
            }
            StopMatcher.Step step = stops.append(decoder.accept(next));
            emit(step.text(), text, onText);
            if (step.stopped()) {
                reason = FinishReason.STOP;
                stopString = step.stop();
                break;
            }
            if (constraint != null && constraint.closed()) {
                reason = FinishReason.STOP;
                break;
            }
            if (!session.canContinue()) break;
            logits = session.forward(next, true);
        }
        if (stopString == null) emit(stops.append(decoder.flush()).text() + stops.flush(), text, onText);
        long t2 = System.nanoTime();
        return new GenerationResult(promptIds, Arrays.copyOf(out, count), text.toString(), reason, stopString,
                t1 - t0, t2 - genStart, logprobs);
    }

    /** Tokens that may still be drawn, this one included: the request's limit and the context's room. */
    private int budget(SamplingParams params, int count) {
        int room = session.evicts() ? Integer.MAX_VALUE : session.contextLength() - session.position();
        return params.maxTokens() < 0 ? room : Math.min(room, params.maxTokens() - count);
    }

    private static void emit(String s, StringBuilder text, Consumer<String> onText) {
        if (s.isEmpty()) return;
        text.append(s);
        if (onText != null) onText.accept(s);
    }
}
