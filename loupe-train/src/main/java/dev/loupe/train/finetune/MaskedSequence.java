package dev.loupe.train.finetune;

/**
 * One training sequence: {@code tokens[t]} predicts {@code targets[t]}, and a target of -1 does not count (a
 * prompt or template token, or padding). Built by {@link ChatEncoder} from a rendered conversation.
 */
public record MaskedSequence(int[] tokens, int[] targets) {
    public MaskedSequence {
        if (tokens.length != targets.length) throw new IllegalArgumentException("tokens and targets differ in length");
    }

    public int length() {
        return tokens.length;
    }

    /** Targets that count. */
    public int trainedTokens() {
        int n = 0;
        for (int t : targets) if (t >= 0) n++;
        return n;
    }

    /**
     * Writes the sequence into row {@code row} of a [B][T] batch: cut to T, padded with token 0 and target -1
     * (causal attention keeps padding after the sequence from affecting it).
     */
    public void fill(int[] batchTokens, int[] batchTargets, int row, int T) {
        int n = Math.min(T, tokens.length), o = row * T;
        System.arraycopy(tokens, 0, batchTokens, o, n);
        System.arraycopy(targets, 0, batchTargets, o, n);
        java.util.Arrays.fill(batchTokens, o + n, o + T, 0);
        java.util.Arrays.fill(batchTargets, o + n, o + T, -1);
    }

    /** The same sequence cut to at most {@code T} positions. */
    public MaskedSequence truncate(int T) {
        return tokens.length <= T ? this : new MaskedSequence(java.util.Arrays.copyOf(tokens, T), java.util.Arrays.copyOf(targets, T));
    }
}
