package dev.loupe.core.context;

import dev.loupe.core.model.Session;

import java.util.SplittableRandom;

/**
 * Passkey retrieval across positions (the test StreamingLLM and Landmark Attention use), shaped for a model that copies
 * in context: a sequence of random filler tokens holds the pair (key, value) at one position and ends with the key
 * again; the model retrieves the passkey when its top next-token prediction is the value. Run token by token, so a
 * context policy evicts as it would in a long generation. Accuracy per position says which parts of a long input a
 * policy still lets the model use.
 */
public final class Passkey {
    private Passkey() {}

    /**
     * A sequence of {@code length} tokens: filler drawn from {@code filler} (which must not contain {@code key}),
     * {@code key} at {@code at} and {@code value} at {@code at + 1}, and {@code key} last.
     */
    public static int[] sequence(int length, int at, int key, int value, int[] filler, SplittableRandom rnd) {
        if (at < 0 || at + 2 >= length) throw new IllegalArgumentException("the pair at " + at + " does not fit before the query of a " + length + "-token sequence");
        int[] s = new int[length];
        for (int i = 0; i < length; i++) s[i] = filler[rnd.nextInt(filler.length)];
        s[at] = key;
        s[at + 1] = value;
        s[length - 1] = key;
        return s;
    }

    /**
     * Whether the model's top prediction after the whole sequence is {@code expected}. From an empty session, the
     * tokens that fit without eviction go in as one batch, the rest one at a time as in a long generation.
     */
    public static boolean retrieves(Session session, int[] sequence, int expected) {
        session.rewind(0);
        int batch = Math.min(sequence.length, session.contextLength() - 1);
        float[] logits = session.prefill(java.util.Arrays.copyOf(sequence, batch));
        for (int i = batch; i < sequence.length; i++) logits = session.forward(sequence[i], i == sequence.length - 1);
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best == expected;
    }

    /**
     * Retrieval accuracy for the pair at each of {@code positions} (each below length - 2), over {@code trials}
     * sequences per position with random key, value and filler from {@code tokens} (seeded).
     */
    public static double[] accuracy(Session session, int length, int[] positions, int[] tokens, int trials, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] acc = new double[positions.length];
        int[] filler = new int[tokens.length - 1];
        for (int i = 0; i < positions.length; i++) {
            int at = positions[i];
            int hits = 0;
            for (int t = 0; t < trials; t++) {
                int ki = rnd.nextInt(tokens.length), key = tokens[ki];
                for (int k = 0, j = 0; k < tokens.length; k++) if (k != ki) filler[j++] = tokens[k];
                int value = filler[rnd.nextInt(filler.length)];
                if (retrieves(session, sequence(length, at, key, value, filler, rnd), value)) hits++;
            }
            acc[i] = hits / (double) trials;
        }
        return acc;
    }
}
