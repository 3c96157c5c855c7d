package dev.loupe.train.data;

import dev.loupe.core.LoupeException;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.bpe.BpeEncoder;

/**
 * The corpus as tokens, split as nanoGPT splits Shakespeare: the first 90% of the text trains, the last 10%
 * validates (split on characters, then each part tokenized on its own, so no token straddles the split).
 * Training batches are random windows; validation uses fixed, evenly spaced windows so its loss is comparable
 * between evaluations.
 */
public final class TokenData {
    public final int[] train, val;
    public final long trainChars, valChars;

    public TokenData(String text, BpeEncoder encoder) {
        int split = (int) (text.length() * 0.9);
        if (Character.isLowSurrogate(text.charAt(split))) split--; // never split a code point
        String a = text.substring(0, split), b = text.substring(split);
        this.train = encoder.encode(a);
        this.val = encoder.encode(b);
        this.trainChars = a.codePointCount(0, a.length());
        this.valChars = b.codePointCount(0, b.length());
    }

    public TokenData(int[] train, int[] val, long trainChars, long valChars) {
        this.train = train;
        this.val = val;
        this.trainChars = trainChars;
        this.valChars = valChars;
    }

    public void checkFits(int seqLen) {
        if (train.length <= seqLen + 1 || val.length <= seqLen + 1) {
            throw new LoupeException("corpus too small: " + train.length + " train and " + val.length + " validation tokens, need more than "
                    + (seqLen + 1) + " each");
        }
    }

    /** Fills B random windows of T tokens and their next-token targets from the training split. */
    public void trainBatch(SplitMix64 rng, int B, int T, int[] tokens, int[] targets) {
        for (int b = 0; b < B; b++) {
            int start = rng.nextInt(train.length - T - 1);
            System.arraycopy(train, start, tokens, b * T, T);
            System.arraycopy(train, start + 1, targets, b * T, T);
        }
    }

    /** Validation batch {@code i} of {@code count}: windows spread evenly over the validation split. */
    public void valBatch(int i, int count, int B, int T, int[] tokens, int[] targets) {
        int windows = count * B;
        long span = val.length - T - 1;
        for (int b = 0; b < B; b++) {
            int start = (int) (span * (i * B + b) / Math.max(1, windows - 1));
            System.arraycopy(val, start, tokens, b * T, T);
            System.arraycopy(val, start + 1, targets, b * T, T);
        }
    }

    /** Converts a mean loss per validation token (nats) into nats per character of validation text. */
    public double natsPerChar(double lossPerToken) {
        return lossPerToken * val.length / valChars;
    }
}
