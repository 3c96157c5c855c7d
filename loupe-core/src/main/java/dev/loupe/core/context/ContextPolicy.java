package dev.loupe.core.context;

import dev.loupe.core.LoupeException;

/**
 * What a session does when its KV cache (its context of {@code capacity} positions) is full and more tokens come.
 * A policy only decides <em>which</em> cached positions stay ({@link #plan}); the session then compacts the cache so
 * the kept positions are slots 0..n-1 in their old order and re-rotates each kept key by RoPE to its new slot, so
 * every policy assigns positions within the cache (as StreamingLLM does) and a model never sees a position beyond
 * its context. The memory bound of every policy is therefore the context: {@code capacity} positions times the KV
 * bytes per position, however long the text.
 *
 * <p>Policies are plain values; the session owns the scratch they fill, so planning allocates nothing.
 */
public sealed interface ContextPolicy permits ContextPolicy.None, ContextPolicy.Shift, ContextPolicy.Sinks,
        ContextPolicy.HeavyHitters {

    /**
     * Slots that may be filled now, before any eviction, when {@code used} of {@code capacity} are: the session
     * evicts only when this is 0.
     */
    default int room(int used, int capacity) {
        return capacity - used;
    }

    /**
     * Chooses the cached slots to keep when {@code used} slots are held and {@code incoming} tokens (at least 1) wait:
     * writes them to {@code keep} in ascending order and returns how many. {@code scores} is each slot's accumulated
     * attention probability (null unless {@link #needsScores}); {@code keep} has room for {@code capacity} slots.
     */
    int plan(int used, int incoming, int capacity, float[] scores, int[] keep);

    /** Whether {@link #plan} reads accumulated attention (the attention kernel then sums it per slot). */
    default boolean needsScores() {
        return false;
    }

    /** Checks the policy's parameters against a context of {@code capacity} positions; a user error if they do not fit. */
    default void validate(int capacity) {}

    /** The name and parameters, e.g. {@code sinks(4)}. */
    String describe();

    /** Today's behaviour: a full context is an error ("context is full"). Bound: the context. */
    record None() implements ContextPolicy {
        @Override
        public int plan(int used, int incoming, int capacity, float[] scores, int[] keep) {
            throw new LoupeException("context is full (" + capacity + " tokens); raise --ctx-size or choose a context policy (--context-policy shift|sinks|h2o)");
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    /**
     * llama.cpp's context shift (tools/completion): when the next batch would fill the context
     * ({@code n_past + n >= n_ctx}), keep the first {@code keep} tokens, discard half of the rest
     * ({@code n_discard = (n_past - n_keep) / 2}, the oldest after the kept ones) and move the others down by
     * n_discard. Bound: the context (one slot of it stays unused, as in llama.cpp).
     *
     * @param keep tokens at the start that are never discarded (llama.cpp's n_keep, the BOS token included)
     */
    record Shift(int keep) implements ContextPolicy {
        public Shift {
            if (keep < 0) throw new LoupeException("--keep must not be negative, got " + keep);
        }

        @Override
        public int room(int used, int capacity) {
            return Math.max(0, capacity - 1 - used);
        }

        @Override
        public int plan(int used, int incoming, int capacity, float[] scores, int[] keep) {
            return keepEnds(this.keep, this.keep + (used - this.keep) / 2, used, keep);
        }

        @Override
        public void validate(int capacity) {
            // A full context holds capacity - 1 tokens; at least two beyond n_keep are needed to discard one.
            if (keep > capacity - 3) {
                throw new LoupeException("--keep " + keep + " leaves nothing to discard in a context of " + capacity + " tokens; keep at most " + (capacity - 3));
            }
        }

        @Override
        public String describe() {
            return "shift(keep " + keep + ")";
        }
    }

    /**
     * StreamingLLM (Xiao et al., 2023): the first {@code sinks} tokens (attention sinks) and a window of the most recent
     * {@code capacity - sinks}; a batch of n tokens arriving at a full cache evicts the n oldest tokens after the sinks.
     * Bound: the context ({@code sinks + window} positions).
     */
    record Sinks(int sinks) implements ContextPolicy {
        public Sinks {
            if (sinks < 0) throw new LoupeException("--sinks must not be negative, got " + sinks);
        }

        @Override
        public int plan(int used, int incoming, int capacity, float[] scores, int[] keep) {
            int evict = Math.min(Math.max(1, used + incoming - capacity), used - sinks);
            return keepEnds(sinks, sinks + evict, used, keep);
        }

        @Override
        public void validate(int capacity) {
            if (sinks > capacity - 1) throw new LoupeException("--sinks " + sinks + " leaves no window in a context of " + capacity + " tokens");
        }

        @Override
        public String describe() {
            return "sinks(" + sinks + ")";
        }
    }

    /**
     * H2O (Zhang et al., 2023): the most recent {@code capacity - heavy} tokens plus the {@code heavy} "heavy
     * hitters", the older tokens with the largest attention probability accumulated over every query since they
     * entered (summed over all layers and heads here, because one cache slot holds a position in every layer). A
     * batch of n tokens at a full cache evicts the n lowest-scoring tokens outside the recent window (the older one
     * on a tie). Bound: the context ({@code heavy + recent} positions).
     */
    record HeavyHitters(int heavy) implements ContextPolicy {
        public HeavyHitters {
            if (heavy < 0) throw new LoupeException("--heavy must not be negative, got " + heavy);
        }

        @Override
        public boolean needsScores() {
            return true;
        }

        @Override
        public int plan(int used, int incoming, int capacity, float[] scores, int[] keep) {
            int recent = capacity - heavy;
            // The incoming tokens take the newest places of the recent window; the cached ones before them may go.
            int candidates = Math.max(1, used - Math.max(0, recent - incoming));
            int evict = Math.min(Math.max(1, used + incoming - capacity), candidates);
            for (int t = 0; t < used; t++) keep[t] = t;
            for (int e = 0; e < evict; e++) {
                int worst = -1;
                for (int t = 0; t < candidates; t++) {
                    if (keep[t] >= 0 && (worst < 0 || scores[t] < scores[worst])) worst = t;
                }
                keep[worst] = -1;
            }
            int n = 0;
            for (int t = 0; t < used; t++) if (keep[t] >= 0) keep[n++] = t;
            return n;
        }

        @Override
        public void validate(int capacity) {
            if (heavy > capacity - 1) throw new LoupeException("--heavy " + heavy + " leaves no recent window in a context of " + capacity + " tokens");
        }

        @Override
        public String describe() {
            return "h2o(heavy " + heavy + ")";
        }
    }

    /** Keeps [0, head) and [from, used): writes them to {@code keep} and returns the count. */
    private static int keepEnds(int head, int from, int used, int[] keep) {
        int n = 0;
        for (int t = 0; t < head; t++) keep[n++] = t;
        for (int t = from; t < used; t++) keep[n++] = t;
        return n;
    }

    /**
     * The policy a command line names: {@code none}, {@code shift} (with {@code keep}), {@code sinks} (with
     * {@code sinks}) or {@code h2o} (with {@code heavy}, or half the context when negative).
     */
    static ContextPolicy parse(String name, int keep, int sinks, int heavy, int capacity) {
        ContextPolicy p = switch (name == null ? "none" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> new None();
            case "shift" -> new Shift(keep);
            case "sinks", "streaming" -> new Sinks(sinks);
            case "h2o", "heavy-hitters" -> new HeavyHitters(heavy < 0 ? capacity / 2 : heavy);
            default -> throw new LoupeException("unknown context policy '" + name + "'; choose none, shift, sinks or h2o");
        };
        p.validate(capacity);
        return p;
    }
}
