package dev.loupe.serve.engine;

import dev.loupe.core.generate.FinishReason;
import dev.loupe.core.sample.Logprobs;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.StopMatcher;
import dev.loupe.core.sample.constrain.TokenConstraint;
import dev.loupe.core.tokenizer.StreamingDecoder;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * One request being served: its prompt, how far it has been prefilled, and the per-sequence half of
 * {@link dev.loupe.core.generate.Generator}'s loop (sample, stream, stop), so a token sampled from a batched
 * step yields the same events as the single-sequence loop would. Used by the scheduler thread only.
 */
final class Sequence {
    final Ticket ticket;
    final int[] prompt;
    final SamplingParams params;
    /**
     * Report each prompt token's logprob. Prefill computes logits only for the last prompt token, so such a prompt is
     * fed one token per decode step instead, riding along in the batch with the generating sequences.
     */
    final boolean scorePrompt;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopMatcher stops;
    private final float[] logits;
    /** Null, or the JSON constraint every sampled token must satisfy (response_format, tool arguments). */
    private final TokenConstraint constraint;
    /** Prompt and generated tokens, for the repetition penalties. */
    private int[] history;
    private int historyLength;

    Slot slot;
    /** Null, or the vectors added to this sequence's rows of every batch (set once, before it is queued). */
    dev.loupe.core.hook.Steering steering;
    /** Prompt tokens already in the slot's cache. */
    int prefilled;
    int cachedTokens;
    /**
     * Tokens to compute again before going on, after the scheduler took this sequence's blocks for others
     * (preemption); null when none. Computing them emits nothing: the sequence resumes where it stood.
     */
    int[] recompute;
    int recomputed;
    /** The last sampled token, to be fed at the next decode step; -1 while prefilling or when finished. */
    int pending = -1;
    private int generated;
    final long submitted;
    long admitted;
    long firstToken;
    private boolean finished;

    Sequence(Ticket ticket, int[] prompt, SamplingParams params, boolean scorePrompt, TokenConstraint constraint,
             Tokenizer tokenizer, int vocabSize, long now) {
        this.ticket = ticket;
        this.constraint = constraint;
        this.scorePrompt = scorePrompt;
        this.prompt = prompt;
        this.params = params;
        this.tokenizer = tokenizer;
        this.sampler = new Sampler(params);
        this.decoder = new StreamingDecoder(tokenizer);
        this.stops = new StopMatcher(params.stop());
        this.logits = new float[vocabSize];
        this.history = Arrays.copyOf(prompt, prompt.length + 64);
        this.historyLength = prompt.length;
        this.submitted = now;
    }

    /**
     * Where this sequence's chain of prefix-cache hashes starts: 0 unsteered, else the steering's fingerprint, so
     * KV blocks computed under one steering are shared only with requests steered the same way.
     */
    long prefixRoot() {
        return steering == null ? 0 : steering.fingerprint();
    }

    boolean prefilling() {
        return prefilled < prompt.length;
    }

    /** Whether the next decode step feeds a prompt token of a scored prompt. */
    boolean scoring() {
        return scorePrompt && prefilling();
    }

    /** The token this sequence feeds at the next decode step, or -1 for none. */
    int nextInput() {
        if (recompute != null) return -1;
        return scoring() ? prompt[prefilled] : pending;
    }

    /** Whether the next prefill chunk is this sequence's: its prompt, or tokens to compute again. */
    boolean needsPrefill() {
        return recompute != null || prefilling() && !scorePrompt;
    }

    /** The first prompt token has no logprob: nothing comes before it. */
    void startScoring() {
        ticket.emit(new Event.PromptToken(prompt[0], null));
    }

    /**
     * After a decode step fed prompt token {@code prefilled}: reports the next prompt token's logprob from the row, or,
     * after the last prompt token, samples the first generated token. Returns true when the sequence has finished.
     */
    boolean scored(float[] rows, int row, long now) {
        prefilled++;
        if (prefilling()) {
            System.arraycopy(rows, row * logits.length, logits, 0, logits.length);
            ticket.emit(new Event.PromptToken(prompt[prefilled], sampler.logprobs(logits, prompt[prefilled])));
            return false;
        }
        return accept(rows, row, now);
    }

    boolean finished() {
        return finished;
    }

    int generated() {
        return generated;
    }

    /**
     * Samples from a logits row (copied, since the engine reuses its buffer), emits what the token released and
     * decides whether the sequence goes on. Returns true when it has finished.
     */
    boolean accept(float[] rows, int row, long now) {
        System.arraycopy(rows, row * logits.length, logits, 0, logits.length);
        if (constraint != null) constraint.budget(budget());
        int next = sampler.sample(logits, history, historyLength, constraint);
        if (constraint != null && !constraint.accept(next)) return finish(FinishReason.STOP, null, now); // nothing can continue the value
        Logprobs lp = params.logprobs() > 0 ? sampler.logprobs(logits, next) : null;
        if (generated++ == 0) firstToken = now;
        if (historyLength == history.length) history = Arrays.copyOf(history, historyLength * 2);
        history[historyLength++] = next;
        if (tokenizer.isEndOfGeneration(next)) return finish(FinishReason.STOP, null, now);
        StopMatcher.Step step = stops.append(decoder.accept(next));
        ticket.emit(new Event.Piece(step.text(), next, lp));
        if (step.stopped()) return finish(FinishReason.STOP, step.stop(), now);
        if (constraint != null && constraint.closed()) return finish(FinishReason.STOP, null, now);
        boolean limit = params.maxTokens() >= 0 && generated >= params.maxTokens();
        if (limit || slot.session.position() >= slot.session.contextLength()) return finish(FinishReason.LENGTH, null, now);
        pending = next;
        return false;
    }

    /** Tokens this sequence may still draw, this one included: its limit and the room left in its context. */
    private int budget() {
        int room = slot.session.contextLength() - slot.session.position();
        return params.maxTokens() < 0 ? room : Math.min(room, params.maxTokens() - generated);
    }

    private boolean finish(FinishReason reason, String stop, long now) {
        if (stop == null) {
            String rest = stops.append(decoder.flush()).text() + stops.flush();
            if (!rest.isEmpty()) ticket.emit(new Event.Piece(rest, -1, null));
        }
        finished = true;
        pending = -1;
        ticket.emit(new Event.Finished(reason, stop, prompt.length, generated, cachedTokens,
                admitted - submitted, firstToken - admitted, now - firstToken));
        return true;
    }

    void fail(String message) {
        finished = true;
        pending = -1;
        ticket.emit(new Event.Failed(message));
    }
}
