package dev.loupe.eval.metric;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded nonparametric bootstrap: resample the samples with replacement, re-aggregate, and report the standard
 * deviation of the replicates (lm_eval/api/metrics.py bootstrap_stderr uses the same estimator, ddof=1) and the
 * 2.5/97.5 percentiles as a 95% interval. Resampling whole samples keeps weighted metrics' (ll, count) pairs
 * together, which a per-item analytic stderr cannot do for ratios.
 */
public final class Bootstrap {
    private final long seed;
    private final int iterations;

    public Bootstrap(long seed, int iterations) {
        if (iterations < 2) throw new IllegalArgumentException("bootstrap needs at least 2 iterations");
        this.seed = seed;
        this.iterations = iterations;
    }

    public Estimate estimate(Metric metric, List<Item> items) {
        int n = items.size();
        double value = metric.aggregate(items);
        if (n < 2) return new Estimate(metric.id(), value, Double.NaN, Double.NaN, Double.NaN, n, metric.higherIsBetter());
        // One stream per metric name, so adding a metric to a task does not move another metric's interval.
        SplittableRandom rnd = new SplittableRandom(seed ^ metric.id().hashCode());
        double[] reps = new double[iterations];
        int[] idx = new int[n];
        for (int b = 0; b < iterations; b++) {
            for (int i = 0; i < n; i++) idx[i] = rnd.nextInt(n);
            reps[b] = metric.aggregate(items, idx);
        }
        double mean = Arrays.stream(reps).average().orElse(Double.NaN);
        double ss = 0;
        for (double r : reps) ss += (r - mean) * (r - mean);
        double stderr = Math.sqrt(ss / (iterations - 1));
        Arrays.sort(reps);
        return new Estimate(metric.id(), value, stderr, percentile(reps, 0.025), percentile(reps, 0.975), n, metric.higherIsBetter());
    }

    /** Linear interpolation between closest ranks (numpy's default percentile). */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
