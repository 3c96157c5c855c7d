package dev.loupe.train.nn;

import dev.loupe.train.SplitMix64;

import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Central-difference gradient checks of the float kernels.
 *
 * <p>Why this step and tolerance: the kernels run in float, so a loss evaluation carries rounding noise of a few
 * 2^-24 * |L| (|L| ~ 1 to 3 here); divided by 2h = 2e-3 that is up to ~3e-4 in a numerical derivative (measured:
 * at most 2e-4 over every parameter of the test models). The truncation error of a central difference is
 * h^2/6 * f''' ~ 2e-7 f''', negligible even where RMSNorm of a short row makes f''' ~ 1e2 (with h = 1e-2 it was
 * not: 6e-2 on one embedding entry). A wrong backward formula is off by O(|g|), so |analytic - numeric| <=
 * 2e-3 + 1e-2 |numeric| separates right from wrong by an order of magnitude on both sides.
 */
final class GradCheck {
    static final float H = 1e-3f;
    static final double ABS = 2e-3, REL = 1e-2;

    private GradCheck() {}

    static float[] random(SplitMix64 r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (scale * r.nextGaussian());
        return a;
    }

    static double weighted(float[] y, float[] w, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) y[i] * w[i];
        return s;
    }

    /** Checks analytic[i] for every i in [off, off+n) of x (or {@code samples} random ones when positive). */
    static void check(String what, float[] x, int off, int n, float[] analytic, int aOff, DoubleSupplier loss, int samples, long seed) {
        SplitMix64 r = new SplitMix64(seed);
        int count = samples > 0 ? samples : n;
        double maxAbs = 0;
        for (int s = 0; s < count; s++) {
            int i = off + (samples > 0 ? r.nextInt(n) : s);
            float old = x[i];
            x[i] = old + H;
            double up = loss.getAsDouble();
            x[i] = old - H;
            double down = loss.getAsDouble();
            x[i] = old;
            double numeric = (up - down) / (2.0 * ((double) (old + H) - old));
            double a = analytic[aOff + i - off];
            maxAbs = Math.max(maxAbs, Math.abs(a));
            assertThat(Math.abs(a - numeric)).as("%s[%d]: analytic %s, numeric %s", what, i - off, a, numeric)
                    .isLessThanOrEqualTo(ABS + REL * Math.abs(numeric));
        }
        assertThat(maxAbs).as("%s gradient is not trivially zero", what).isGreaterThan(1e-3);
    }
}
