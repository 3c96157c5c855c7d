package dev.loupe.core.speculate;

/**
 * What a {@link Drafter} proposed: up to {@link #capacity()} tokens, and, when the drafter sampled them, the
 * distribution each was drawn from (the q of Leviathan et al.). A drafter that guesses deterministically (greedy,
 * prompt lookup) leaves {@link #sampled()} false: q is then one-hot on the guess. Reused from round to round.
 */
public final class Draft {
    private final int[] tokens;
    private final int vocab;
    private float[][] probs;
    private boolean sampled;

    public Draft(int capacity, int vocab) {
        this.tokens = new int[capacity];
        this.vocab = vocab;
    }

    public int capacity() {
        return tokens.length;
    }

    public int token(int i) {
        return tokens[i];
    }

    void setToken(int i, int token) {
        tokens[i] = token;
    }

    /** Whether {@link #probs} holds the distributions the tokens were drawn from. */
    public boolean sampled() {
        return sampled;
    }

    void setSampled(boolean sampled) {
        this.sampled = sampled;
    }

    /** The vocabulary-sized distribution row for draft position i (allocated on first use, then reused). */
    float[] probs(int i) {
        if (probs == null) probs = new float[tokens.length][];
        if (probs[i] == null) probs[i] = new float[vocab];
        return probs[i];
    }
}
