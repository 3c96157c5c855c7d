package dev.loupe.core.speculate;

import java.util.ArrayList;
import java.util.List;

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected probabilities. Cells expected fewer
 * than 5 times are pooled into one (the usual validity rule). The p-value is the regularized upper incomplete gamma
 * function Q(df/2, x/2), by its series and continued fraction (Numerical Recipes 6.2); ChiSquareTest checks it against
 * tabulated critical values.
 */
final class ChiSquare {
    private ChiSquare() {}

    /** p-value of observing {@code counts} (of {@code total} draws) when cell i has probability {@code probs[i]}. */
    static double pValue(long[] counts, double[] probs, long total) {
        List<double[]> cells = new ArrayList<>(); // {observed, expected}
        double pooledObserved = 0, pooledExpected = 0, mass = 0;
        for (int i = 0; i < probs.length; i++) {
            double e = probs[i] * total;
            mass += probs[i];
            if (e >= 5) cells.add(new double[]{counts[i], e});
            else {
                pooledObserved += counts[i];
                pooledExpected += e;
            }
        }
        if (Math.abs(mass - 1) > 1e-4) throw new IllegalArgumentException("probabilities sum to " + mass);
        long observedTotal = 0;
        for (long c : counts) observedTotal += c;
        if (observedTotal != total) throw new IllegalArgumentException("counts sum to " + observedTotal + ", not " + total);
        if (pooledExpected > 0 || pooledObserved > 0) cells.add(new double[]{pooledObserved, Math.max(pooledExpected, 1e-12)});
        double x = 0;
        for (double[] c : cells) x += (c[0] - c[1]) * (c[0] - c[1]) / c[1];
        return upperGamma((cells.size() - 1) / 2.0, x / 2);
    }

    /** Q(a, x) = Γ(a, x) / Γ(a). */
    static double upperGamma(double a, double x) {
        if (x <= 0) return 1;
        if (x < a + 1) return 1 - lowerSeries(a, x);
        return continuedFraction(a, x);
    }

    private static double lowerSeries(double a, double x) {
        double sum = 1 / a, term = sum;
        for (int n = 1; n < 10_000; n++) {
            term *= x / (a + n);
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
        }
        return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    }

    private static double continuedFraction(double a, double x) {
        double tiny = 1e-300, b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-15) break;
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    /** Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for a > 0. */
    static double logGamma(double a) {
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
        if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGamma(1 - a);
        a -= 1;
        double s = g[0];
        for (int i = 1; i < 9; i++) s += g[i] / (a + i);
        double t = a + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (a + 0.5) * Math.log(t) - t + Math.log(s);
    }
}
