package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.GgmlType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import dev.loupe.core.parallel.ThreadPool;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class QuantizedVectorTest {

    /** amax 127 makes the multiplier exactly 1, so the rounding mode shows: half to even, like _mm256_round_ps. */
    @Test
    void q8_0RoundsHalfToEven() {
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = 0.5f;
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, 32, GgmlType.Q8_0);
        assertThat(new int[] {a.q(0), a.q(1), a.q(2), a.q(3), a.q(4)}).containsExactly(127, 2, 4, -2, 0);
        assertThat(a.d[0]).isEqualTo(1f);
    }

    /** The multiplier is 127/amax, not 1/fp16(d): with amax = 1, d = 1/127 rounds in fp16 but id stays 127. */
    @Test
    void q8_0MultiplierComesFromAmax() {
        float[] x = new float[32];
        x[0] = 1;
        x[1] = 0.5f / 127 * 3; // x·127 = 1.5 → 2
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, 32, GgmlType.Q8_0);
        assertThat(a.q(1)).isEqualTo(2);
        assertThat(a.d[0]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(1f / 127)));
    }

    @Test
    void q8_1SumIsHalfOfUnroundedDTimesSum() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = (i % 5) * 0.37f;
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, 32, GgmlType.Q8_1);
        int sum = 0;
        for (int i = 0; i < 32; i++) sum += a.q(i);
        float d = 4 * 0.37f / 127f;
        assertThat(a.s[0]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(d * sum)));
    }

    /** Q8_K takes its sign from the first element of largest magnitude and keeps d = 1/iscale as a float. */
    @Test
    void q8_KScaleFollowsSignedMax() {
        float[] x = new float[256];
        x[3] = 127;
        x[7] = -127;
        x[8] = 2.5f;
        x[20] = 1;
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, 256, GgmlType.Q8_K);
        // max = x[3] = 127 (first of the tie), iscale = -127/max = -1, d = 1/iscale = -1: every quant flips sign.
        assertThat(a.d[0]).isEqualTo(-1f);
        assertThat(new int[] {a.q(3), a.q(7), a.q(8), a.q(20)}).containsExactly(-127, 127, -2, -1);
    }

    @Test
    void q8_KBsums() {
        float[] x = new float[512];
        Random r = new Random(3);
        for (int i = 0; i < 512; i++) x[i] = (float) r.nextGaussian();
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, 512, GgmlType.Q8_K);
        for (int g = 0; g < 32; g++) {
            int s = 0;
            for (int j = 0; j < 16; j++) s += a.q(g * 16 + j);
            assertThat(a.bsums[g]).isEqualTo(s);
        }
    }

    /** Every element dequantizes to within half a step of its input (round to nearest), for each Q8 type. */
    @Property(tries = 200)
    void quantizedWithinHalfAStep(@ForAll long seed) {
        Random r = new Random(seed);
        float[] x = ActivationDotTest.randomActivations(512, r);
        QuantizedVector a = new QuantizedVector();
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_K}) {
            a.quantize(x, 512, t);
            for (int i = 0; i < 512; i++) {
                int b = i / t.blockSize;
                float amax = 0;
                for (int j = b * t.blockSize; j < (b + 1) * t.blockSize; j++) amax = Math.max(amax, Math.abs(x[j]));
                // Q8_0/Q8_1 store d in fp16, but the quants use the exact step; Q8_K's float d carries the sign
                // of its largest element (positive maxima give negative d and flipped quants).
                float step = t == GgmlType.Q8_K ? a.d[b] : amax / 127;
                assertThat((double) Math.abs(a.q(i) * step - x[i])).as("%s element %d", t, i)
                        .isLessThanOrEqualTo(Math.abs(step) * 0.5001 + 1e-30);
            }
        }
    }

    /** Reuse: once sized, quantizing again (same or smaller) keeps the same buffers. */
    @Test
    void reusesBuffers() {
        QuantizedVector a = new QuantizedVector();
        a.quantize(new float[512], 512, GgmlType.Q8_K);
        byte[] qs = a.qs;
        a.quantize(new float[512], 256, GgmlType.Q8_0);
        a.quantize(new float[512], 512, GgmlType.Q8_K);
        assertThat(a.qs).isSameAs(qs);
    }

    /**
     * MatMul converts an input unit by unit across its pool: every form of every type must come out as one whole
     * conversion makes it, whatever ranges and order the units are done in (here: reversed, uneven ranges, on a pool).
     */
    @Test
    void unitsConvertedInAnyOrderAndOnAnyThreadEqualOneConversion() {
        Random r = new Random(11);
        int n = 2 * 8192;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * (i % 97 == 0 ? 40 : 1));
        try (ThreadPool pool = new ThreadPool(3)) {
            for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_K, GgmlType.F16, GgmlType.BF16, GgmlType.F32}) {
                QuantizedVector whole = new QuantizedVector();
                whole.quantize(x, n, t);
                QuantizedVector parts = new QuantizedVector();
                int units = parts.prepare(n, t);
                for (int to = units; to > 0; ) {
                    int from = Math.max(0, to - 1 - r.nextInt(5));
                    parts.convert(x, from, to);
                    to = from;
                }
                QuantizedVector pooled = new QuantizedVector();
                pool.run((from, to) -> pooled.convert(x, from, to), pooled.prepare(n, t));
                for (QuantizedVector v : new QuantizedVector[] {parts, pooled}) {
                    if (!t.isQuantized()) {
                        assertThat(Arrays.copyOf(v.floats(), n)).as(t.name()).containsExactly(Arrays.copyOf(whole.floats(), n));
                        continue;
                    }
                    assertThat(Arrays.copyOf(v.qs, n)).as(t.name()).isEqualTo(Arrays.copyOf(whole.qs, n));
                    int blocks = n / t.blockSize;
                    assertThat(Arrays.copyOf(v.d, blocks)).isEqualTo(Arrays.copyOf(whole.d, blocks));
                    assertThat(Arrays.copyOf(v.wide, n)).isEqualTo(Arrays.copyOf(whole.wide, n));
                    assertThat(Arrays.copyOf(v.lanes, n)).isEqualTo(Arrays.copyOf(whole.lanes, n));
                    assertThat(Arrays.copyOf(v.pairsWrap, n / 2)).isEqualTo(Arrays.copyOf(whole.pairsWrap, n / 2));
                    assertThat(Arrays.copyOf(v.sums32, n / 32)).isEqualTo(Arrays.copyOf(whole.sums32, n / 32));
                    if (t == GgmlType.Q8_K) assertThat(Arrays.copyOf(v.bsumsF, n / 16)).isEqualTo(Arrays.copyOf(whole.bsumsF, n / 16));
                    if (t == GgmlType.Q8_1) assertThat(Arrays.copyOf(v.s, blocks)).isEqualTo(Arrays.copyOf(whole.s, blocks));
                    assertThat(v.repeated()).isEqualTo(whole.repeated());
                    if (!v.repeated()) continue;
                    // The repeated pairs against their definition: pair i (quants 2i, 2i+1) in all 8 int lanes.
                    for (int i = 0; i < n / 2; i++) {
                        for (int l = 0; l < 8; l++) {
                            assertThat(v.pairs16[16 * i + 2 * l]).isEqualTo((short) v.qs[2 * i]);
                            assertThat(v.pairs16[16 * i + 2 * l + 1]).isEqualTo((short) v.qs[2 * i + 1]);
                            assertThat(v.pairsWrap16[16 * i + 2 * l]).isEqualTo((short) v.pairsWrap[i]);
                            assertThat(v.pairsWrap16[16 * i + 2 * l + 1]).isEqualTo((short) (v.pairsWrap[i] >> 16));
                        }
                    }
                }
            }
        }
    }
}
