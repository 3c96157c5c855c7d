package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast dot held to the plain float dot of the scalar reference's values. */
final class DotCheck {
    /** Unit roundoff of float. */
    static final double U = 0x1p-24;

    private DotCheck() {}

    /**
     * Both sides compute sum(w_i * x_i) over the same float weights (the fast path rebuilds each
     * weight bit-for-bit in its lanes), in different orders. Each float sum of n products is within
     * gamma_n * sum|w_i x_i| of the exact value (gamma_n = n*u / (1 - n*u), Higham 3.1; the fma path
     * has fewer roundings), so the two are within 2 * gamma_n * sum|w_i x_i|. The absolute term covers
     * products in the subnormal range, where the relative bound does not hold.
     */
    static void assertAgrees(Codec codec, MemorySegment src, long offset, float[] w, float[] x, int xOff, String what) {
        int n = w.length;
        float expected = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            expected += w[i] * x[xOff + i];
            magnitude += Math.abs((double) w[i] * x[xOff + i]);
        }
        double gamma = n * U / (1 - n * U);
        double bound = 2 * gamma * magnitude + 4.0 * n * Float.MIN_VALUE;
        float actual = codec.dot(src, offset, x, xOff, n);
        assertThat((double) Math.abs(actual - expected)).as("%s: |fast %s - reference %s|", what, actual, expected)
                .isLessThanOrEqualTo(bound);
    }
}
