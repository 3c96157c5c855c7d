package dev.loupe.data.dedup;

/**
 * Banding for MinHash LSH: {@code bands} bands of {@code rows} rows. Two documents with Jaccard similarity s share
 * a bucket in at least one band with probability {@code 1 - (1 - s^rows)^bands}, an S-curve whose steep part
 * should sit at the target threshold.
 */
public record LshParams(int bands, int rows) implements java.io.Serializable {
    public double probability(double s) {
        return 1 - Math.pow(1 - Math.pow(s, rows), bands);
    }

    /**
     * The (bands, rows) with bands*rows &le; numPerm minimizing false positives (area under the curve below the
     * threshold) plus false negatives (area above the curve beyond it), equally weighted. This is the criterion
     * of datasketch's {@code _optimal_param}, also used by text-dedup.
     */
    public static LshParams forThreshold(double threshold, int numPerm) {
        if (!(threshold > 0 && threshold < 1)) throw new dev.loupe.core.LoupeException("minhash threshold must be in (0, 1), got " + threshold);
        LshParams best = null;
        double bestErr = Double.MAX_VALUE;
        for (int b = 1; b <= numPerm; b++) {
            for (int r = 1; b * r <= numPerm; r++) {
                LshParams p = new LshParams(b, r);
                double fp = integrate(p::probability, 0, threshold);
                double fn = integrate(s -> 1 - p.probability(s), threshold, 1);
                double err = 0.5 * fp + 0.5 * fn;
                if (err < bestErr) {
                    bestErr = err;
                    best = p;
                }
            }
        }
        return best;
    }

    private static double integrate(java.util.function.DoubleUnaryOperator f, double a, double b) {
        int n = 200;
        double h = (b - a) / n, sum = 0.5 * (f.applyAsDouble(a) + f.applyAsDouble(b));
        for (int i = 1; i < n; i++) sum += f.applyAsDouble(a + i * h);
        return sum * h;
    }
}
