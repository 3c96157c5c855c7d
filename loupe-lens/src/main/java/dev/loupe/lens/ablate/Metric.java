package dev.loupe.lens.ablate;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.logit.TopK;

/** A number computed from a run's logits [T][V] and its tokens: what ablation and patching measure. */
public sealed interface Metric {
    double score(float[] logits, int[] tokens, int vocab);

    String describe();

    /** Mean next-token cross-entropy (nats) of the predictions made at positions [from, to); to <= 0 means T-1. */
    record Loss(int from, int to) implements Metric {
        public Loss(int from) {
            this(from, 0);
        }

        public double score(float[] logits, int[] tokens, int V) {
            int start = Math.max(0, from), end = to <= 0 ? tokens.length - 1 : Math.min(to, tokens.length - 1);
            if (start >= end) throw new LoupeException("loss needs at least one prediction in positions [" + start + ", " + end + ")");
            double sum = 0;
            for (int p = start; p < end; p++) sum -= TopK.logProb(logits, p * V, V, tokens[p + 1]);
            return sum / (end - start);
        }

        public String describe() {
            return from <= 0 && to <= 0 ? "loss" : "loss of predictions at positions [" + from + ", " + (to <= 0 ? "end" : to) + ")";
        }
    }

    /** logit[a] - logit[b] at {@code position} (-1: the last). */
    record LogitDiff(int position, int a, int b) implements Metric {
        public double score(float[] logits, int[] tokens, int V) {
            int p = position < 0 ? tokens.length - 1 : position;
            return logits[p * V + a] - logits[p * V + b];
        }

        public String describe() {
            return "logit diff";
        }
    }
}
