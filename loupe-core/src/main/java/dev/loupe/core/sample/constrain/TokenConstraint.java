package dev.loupe.core.sample.constrain;

import dev.loupe.core.sample.TokenMask;

import java.util.Arrays;

/**
 * Constrains one sequence's tokens to a JSON value valid against a schema, or to any {@link GrammarState}'s grammar
 * (a reply with tool calls). Before each draw, {@link #apply} forbids
 * every token whose bytes cannot continue the value, and — once the remaining token budget gets close to what the
 * value still needs — every token that would leave more to close than the budget allows, so a limited generation
 * still ends in a value that parses (given single-byte tokens, which byte-level and byte-fallback vocabularies have).
 * End-of-generation tokens are allowed exactly when the value is complete. Not thread-safe: one per sequence.
 */
public final class TokenConstraint implements TokenMask {
    private final ConstraintVocab vocab;
    private GrammarState state;
    private int budget = Integer.MAX_VALUE;
    private long[] scratch;

    public TokenConstraint(ConstraintVocab vocab, JsonSchema schema) {
        this(vocab, JsonState.start(schema));
    }

    /** Constrains to the grammar of {@code start}, from that state on. */
    public TokenConstraint(ConstraintVocab vocab, GrammarState start) {
        this.vocab = vocab;
        this.state = start;
    }

    /** Tokens that may still be generated, this one included; past it the output would be cut off. */
    public void budget(int tokens) {
        this.budget = tokens;
    }

    @Override
    public void apply(float[] logits, int n) {
        ConstraintVocab.Allowed a = vocab.allowed(state);
        long[] bits = a.bits();
        if (a.maxCost() > budget - 1) {
            // Near the end: keep only tokens after which the rest still fits (one byte per remaining token).
            if (scratch == null) scratch = new long[bits.length];
            Arrays.fill(scratch, 0L);
            vocab.walk(state, Math.max(0, budget - 1), scratch);
            if (!any(scratch)) {
                // The shortest completion does not fit at all: the output will be cut off, but it gets as close to an
                // end as the budget allows, taking only the tokens that leave the least to write.
                vocab.walk(state, vocab.leastCost(state), scratch);
            }
            bits = scratch;
        }
        for (int w = 0, base = 0; base < n; w++, base += 64) {
            long word = bits[w];
            if (word == -1L) continue; // all 64 allowed: the common case inside a string
            for (long off = ~word; off != 0; off &= off - 1) {
                int i = base + Long.numberOfTrailingZeros(off);
                if (i < n) logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private static boolean any(long[] bits) {
        for (long b : bits) if (b != 0) return true;
        return false;
    }

    /**
     * Advances past a sampled token. Returns false, leaving the state as it was, if the token does not continue the
     * value (a caller that skipped {@link #apply}, or a vocabulary with no token that could): the caller should stop.
     */
    public boolean accept(int token) {
        if (vocab.isEnd(token)) return state.complete();
        String special = vocab.specialText(token);
        GrammarState next = special != null ? state.feedSpecial(special) : state.feed(vocab.bytes(token));
        if (next == null) return false;
        state = next;
        return true;
    }

    /** Whether the output so far is a complete value. */
    public boolean complete() {
        return state.complete();
    }

    /** Whether the value is complete and nothing may follow it, so generation can end without an end token. */
    public boolean closed() {
        return state.closed();
    }
}
