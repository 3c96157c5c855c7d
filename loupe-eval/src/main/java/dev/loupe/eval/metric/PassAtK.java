package dev.loupe.eval.metric;

/**
 * The unbiased pass@k estimator of Chen et al. 2021, "Evaluating Large Language Models Trained on Code"
 * (arXiv:2107.03374, section 2.1 and figure 3): with n samples of which c pass,
 * pass@k = 1 - C(n-c, k) / C(n, k), the chance that at least one of k samples drawn without replacement from the
 * n passes. Computed as the paper's numerically stable product 1 - Π_{i=n-c+1..n} (1 - k/i) instead of binomials,
 * which overflow for n of a few hundred. The per-problem values are averaged over problems.
 */
public final class PassAtK {
    private PassAtK() {}

    /**
     * @param n samples generated for the problem
     * @param c of them passed the tests
     * @param k the k of pass@k; needs {@code k <= n}
     */
    public static double estimate(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n) throw new IllegalArgumentException("need 0 <= c <= n and n >= 1, got n=" + n + " c=" + c);
        if (k < 1 || k > n) throw new IllegalArgumentException("pass@" + k + " needs at least " + k + " samples per problem, got " + n);
        if (n - c < k) return 1.0;  // every k-subset holds a passing sample
        double allFail = 1.0;
        for (int i = n - c + 1; i <= n; i++) allFail *= 1.0 - (double) k / i;
        return 1.0 - allFail;
    }
}
