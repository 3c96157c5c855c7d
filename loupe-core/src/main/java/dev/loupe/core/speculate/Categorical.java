package dev.loupe.core.speculate;

import java.util.SplittableRandom;

/** Draws from a vocabulary-sized array of non-negative weights (not necessarily normalized). */
final class Categorical {
    private Categorical() {}

    /**
     * The first id whose running weight passes {@code u} times the total; never an id of weight 0. The caller has
     * the total already (it built the weights), so it is passed in rather than summed again.
     */
    static int draw(float[] weights, int n, double total, SplittableRandom random) {
        double target = random.nextDouble() * total;
        double run = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            float w = weights[i];
            if (w <= 0) continue;
            run += w;
            last = i;
            if (run >= target) return i;
        }
        if (last < 0) throw new IllegalArgumentException("no token has positive weight");
        return last; // rounding left the running sum a hair short of the total
    }

    static int draw(float[] weights, int n, SplittableRandom random) {
        double total = 0;
        for (int i = 0; i < n; i++) if (weights[i] > 0) total += weights[i];
        return draw(weights, n, total, random);
    }
}
