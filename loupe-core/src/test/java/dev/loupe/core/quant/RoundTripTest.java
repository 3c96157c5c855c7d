package dev.loupe.core.quant;

import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quantize, then decode with the engine's scalar reference codecs (written independently from ggml's
 * dequantizers): the layout the quantizers write must be the layout the codecs read, and the error must be
 * what the format allows.
 */
class RoundTripTest {
    static final int N = 2048;

    static float[] gaussian(long seed, int n, float scale) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * scale;
        return x;
    }

    static float[] roundTrip(GgmlType type, float[] x) {
        byte[] q = new byte[(int) type.rowBytes(x.length)];
        Quantizers.create(type).quantize(x, 0, x.length, q, 0);
        float[] y = new float[x.length];
        Codecs.of(type, "test").dequantize(MemorySegment.ofArray(q), 0, y, 0, x.length);
        return y;
    }

    static double relativeRms(float[] x, float[] y) {
        double e = 0, s = 0;
        for (int i = 0; i < x.length; i++) {
            e += (x[i] - y[i]) * (double) (x[i] - y[i]);
            s += x[i] * (double) x[i];
        }
        return Math.sqrt(e / s);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void gaussianErrorIsWithinWhatTheBitsAllow(GgmlType type) {
        float[] x = gaussian(type.ordinal(), N, 0.02f);
        double err = relativeRms(x, roundTrip(type, x));
        // Uniform rounding of a Gaussian with b bits over about +-3 sigma: rms error ~ 6 sigma / 2^b / sqrt(12).
        int bits = switch (type) {
            case Q8_0 -> 8;
            case Q6_K -> 6;
            case Q5_0, Q5_1, Q5_K -> 5;
            default -> 4;
        };
        double allowed = 6.0 / (1 << bits) / Math.sqrt(12) * 1.6;
        assertThat(err).as("%s relative rms error", type).isLessThan(allowed).isGreaterThan(0);
    }

    @Test
    void moreBitsLessError() {
        float[] x = gaussian(99, N, 1f);
        assertThat(relativeRms(x, roundTrip(GgmlType.Q4_K, x))).isGreaterThan(relativeRms(x, roundTrip(GgmlType.Q5_K, x)));
        assertThat(relativeRms(x, roundTrip(GgmlType.Q5_K, x))).isGreaterThan(relativeRms(x, roundTrip(GgmlType.Q6_K, x)));
        assertThat(relativeRms(x, roundTrip(GgmlType.Q6_K, x))).isGreaterThan(relativeRms(x, roundTrip(GgmlType.Q8_0, x)));
        assertThat(relativeRms(x, roundTrip(GgmlType.Q4_0, x))).isGreaterThan(relativeRms(x, roundTrip(GgmlType.Q5_0, x)));
        // The K-quants' searched scales beat the legacy absmax scale at the same bit width.
        assertThat(relativeRms(x, roundTrip(GgmlType.Q4_K, x))).isLessThan(relativeRms(x, roundTrip(GgmlType.Q4_0, x)));
    }

    @Test
    void q8_0EveryValueWithinHalfAStepPlusTheF16RoundingOfTheScale() {
        float[] x = gaussian(5, N, 3f);
        float[] y = roundTrip(GgmlType.Q8_0, x);
        for (int b = 0; b < N; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]));
            float d = amax / 127;
            for (int j = 0; j < 32; j++) {
                // |x - q d16| <= |x - q d| + |q| |d - d16| <= d/2 + 127 d 2^-11
                assertThat(Math.abs(x[b + j] - y[b + j])).isLessThanOrEqualTo(d * (0.5f + 127f / 2048f) * 1.0001f);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void awkwardRowsStayFinite(GgmlType type) {
        float[][] rows = {new float[512], constant(512, 0.75f), constant(512, -3e-9f), withOutlier(512), tiny(512)};
        for (float[] x : rows) {
            float[] y = roundTrip(type, x);
            for (float v : y) assertThat(Float.isFinite(v)).isTrue();
        }
        for (float v : roundTrip(type, new float[512])) assertThat(v == 0f).as("zero in, zero (of either sign) out").isTrue();
        float[] big = withOutlier(512);
        float[] y = roundTrip(type, big);
        // The outlier itself survives within its block's step.
        assertThat(y[77]).isCloseTo(big[77], org.assertj.core.data.Percentage.withPercentage(10));
    }

    @Test
    void quantizersAreReusableAndDeterministic() {
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q5_1}) {
            RowQuantizer q = Quantizers.create(t);
            float[] a = gaussian(1, 1024, 1), b = gaussian(2, 1024, 1);
            byte[] first = new byte[(int) t.rowBytes(1024)], again = first.clone(), other = first.clone();
            q.quantize(a, 0, 1024, first, 0);
            q.quantize(b, 0, 1024, other, 0); // scratch now holds b's state
            q.quantize(a, 0, 1024, again, 0);
            assertThat(again).as(t.toString()).isEqualTo(first);
            // Offsets are honoured on both sides.
            float[] shifted = new float[1024 + 7];
            System.arraycopy(a, 0, shifted, 7, 1024);
            byte[] at = new byte[first.length + 3];
            q.quantize(shifted, 7, 1024, at, 3);
            assertThat(Arrays.copyOfRange(at, 3, at.length)).isEqualTo(first);
        }
    }

    static float[] constant(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    static float[] withOutlier(int n) {
        float[] x = gaussian(3, n, 0.01f);
        x[77] = 40f;
        return x;
    }

    static float[] tiny(int n) {
        float[] x = gaussian(4, n, 1e-30f);
        return x;
    }
}
