package dev.loupe.train.nn;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blocked kernels against the textbook triple loop summed in double (the oracle), on shapes that hit every
 * edge: rows not a multiple of the 4-row tile, columns not a multiple of the vector width, K longer than one
 * K block, N wider than one N block. Results must also be bit-identical for 1 and 3 threads (uneven splits).
 */
class MatMulTest {

    /** y[r][o] = sum_k x[r][k] w[o][k], in double. */
    static double[] forwardRef(float[] x, float[] w, int wOff, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int k = 0; k < in; k++) s += (double) x[r * in + k] * w[wOff + o * in + k];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "4,16,16", "7,33,19", "9,300,131", "13,17,270", "6,520,9"})
    void fastEqualsReference(int n, int in, int out) {
        SplitMix64 rng = new SplitMix64(n * 1000L + in * 10L + out);
        int wOff = 3;
        float[] x = GradCheck.random(rng, n * in, 1), w = GradCheck.random(rng, wOff + out * in, 1), dy = GradCheck.random(rng, n * out, 1);
        float[] dx0 = GradCheck.random(rng, n * in, 1), dw0 = GradCheck.random(rng, w.length, 1);

        double[] y = forwardRef(x, w, wOff, n, in, out);
        double[] dx = new double[n * in], dw = new double[w.length];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < in; k++) {
                double s = dx0[r * in + k];
                for (int o = 0; o < out; o++) s += (double) dy[r * out + o] * w[wOff + o * in + k];
                dx[r * in + k] = s;
            }
        }
        for (int i = 0; i < w.length; i++) dw[i] = dw0[i];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in; k++) {
                double s = dw[wOff + o * in + k];
                for (int r = 0; r < n; r++) s += (double) dy[r * out + o] * x[r * in + k];
                dw[wOff + o * in + k] = s;
            }
        }

        float[][] first = null;
        for (int threads = 1; threads <= 3; threads += 2) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                MatMul mm = new MatMul(pool);
                float[] fy = new float[n * out], fdx = dx0.clone(), fdw = dw0.clone();
                java.util.Arrays.fill(fy, Float.NaN); // forward must overwrite, not accumulate
                mm.forward(fy, x, w, wOff, n, in, out);
                mm.backward(fdx, fdw, dy, x, w, wOff, n, in, out);
                // float sums of K products of magnitude <= 1: error grows like K * 2^-24 at worst.
                assertClose("y", fy, y, in);
                assertClose("dx", fdx, dx, out + 1);
                assertClose("dw", fdw, dw, n + 1);
                assertThat(fdw[0]).as("dw before the offset is untouched").isEqualTo(dw0[0]);
                float[][] now = {fy, fdx, fdw};
                if (first == null) first = now;
                else for (int i = 0; i < 3; i++) assertThat(now[i]).as("threads=%d, result %d", threads, i).containsExactly(first[i]);
            }
        }
    }

    private static void assertClose(String what, float[] got, double[] want, int terms) {
        double tol = 4 * terms * Math.ulp(1f);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("%s[%d]", what, i).isCloseTo(want[i], org.assertj.core.api.Assertions.within(tol * (1 + Math.abs(want[i]))));
        }
    }
}
