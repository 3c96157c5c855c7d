package dev.loupe.core.tensor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast dot of every codec against its scalar reference, on random blocks. */
class CodecPropertyTest {
    static final GgmlType[] TYPES = {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1,
        GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    @Provide
    Arbitrary<GgmlType> types() {
        return Arbitraries.of(TYPES);
    }

    /** Element counts: whole blocks, and for 1-element "blocks" odd counts that leave a scalar tail. */
    static int count(GgmlType type, int blocks) {
        return type.blockSize == 1 ? blocks * 29 : blocks * type.blockSize;
    }

    static float[] randomX(int len, Random r) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (r.nextFloat() * 2 - 1) * 4;
        return x;
    }

    /** Within {@link DotCheck#assertAgrees}: same weights, different summation order. */
    @Property(tries = 400)
    void dotAgreesWithDequantizedDot(@ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 5) int blocks,
                                     @ForAll @IntRange(min = 0, max = 9) int pad, @ForAll @IntRange(min = 0, max = 7) int xOff,
                                     @ForAll long seed) {
        Random r = new Random(seed);
        Codec codec = Codecs.of(type, "random");
        int n = count(type, blocks);
        MemorySegment src = RandomBlocks.of(type, n / type.blockSize, pad, r);
        float[] x = randomX(xOff + n, r);

        float[] w = new float[n + 2];
        Arrays.fill(w, Float.NaN);
        codec.dequantize(src, pad, w, 1, n);
        assertThat(w[0]).as("dequantize wrote before dstOff").isNaN();
        assertThat(w[n + 1]).as("dequantize wrote past n values").isNaN();

        for (int i = 0; i < n; i++) assertThat(Float.isFinite(w[1 + i])).as("value %d finite", i).isTrue();
        DotCheck.assertAgrees(codec, src, pad, Arrays.copyOfRange(w, 1, n + 1), x, xOff, type + " n=" + n);
    }

    /** accumulate is y + a·value, each a product then a sum, bit for bit against the decoded values (every type). */
    @Property(tries = 200)
    void accumulateAddsTheWeightedDecodedValues(@ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 3) int blocks,
                                                @ForAll @IntRange(min = 0, max = 5) int pad, @ForAll @IntRange(min = 0, max = 7) int yOff,
                                                @ForAll long seed) {
        Random r = new Random(seed);
        Codec codec = Codecs.of(type, "random");
        int n = count(type, blocks);
        MemorySegment src = RandomBlocks.of(type, n / type.blockSize, pad, r);
        float[] w = new float[n];
        codec.dequantize(src, pad, w, 0, n);
        float a = r.nextFloat();
        float[] y = randomX(yOff + n + 1, r), expect = y.clone();
        for (int i = 0; i < n; i++) expect[yOff + i] += a * w[i];
        codec.accumulate(src, pad, a, y, yOff, n, new float[n]);
        assertThat(y).as("%s n=%d", type, n).isEqualTo(expect);
    }

    /**
     * With x a unit vector every product but one is an exact zero, so the dot is exactly the weight
     * the fast path built in that lane: this pins each lane's weight, bit for bit, to the reference.
     */
    @Property(tries = 120)
    void dotWithUnitVectorIsExactlyTheWeight(@ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 2) int blocks,
                                             @ForAll @IntRange(min = 0, max = 5) int pad, @ForAll long seed) {
        Random r = new Random(seed);
        Codec codec = Codecs.of(type, "random");
        int n = count(type, blocks);
        MemorySegment src = RandomBlocks.of(type, n / type.blockSize, pad, r);
        float[] w = new float[n];
        codec.dequantize(src, pad, w, 0, n);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1;
            float got = codec.dot(src, pad, x, 0, n);
            x[i] = 0;
            // == rather than bit equality: a weight of -0.0 sums to +0.0.
            assertThat(got == w[i]).as("%s value %d: dot %s, dequantize %s", type, i, got, w[i]).isTrue();
        }
    }

    /**
     * For the writable types, decode(encode(v)) is v rounded to the format: within half a step of v
     * (the bounds of FixtureAgreementTest), and encoding a decoded block reproduces it exactly.
     */
    @Property(tries = 200)
    void quantizeThenDequantizeStaysWithinTheFormatsStep(@ForAll("writable") GgmlType type, @ForAll @IntRange(min = 1, max = 4) int blocks,
                                                          @ForAll long seed) {
        Random r = new Random(seed);
        Codec codec = Codecs.of(type, "roundtrip");
        int n = blocks * 32;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(20) - 10));
        byte[] encBytes = new byte[(int) type.rowBytes(n)];
        dev.loupe.core.quant.Quantizers.create(type).quantize(v, 0, n, encBytes, 0);
        MemorySegment enc = MemorySegment.ofArray(encBytes);
        float[] back = new float[n];
        codec.dequantize(enc, 0, back, 0, n);
        for (int b = 0; b < n; b += 32) {
            double amax = 0;
            for (int i = b; i < b + 32; i++) amax = Math.max(amax, Math.abs(v[i]));
            for (int i = b; i < b + 32; i++) {
                double allowed = switch (type) {
                    case F32 -> 0;
                    case F16 -> Math.max(Math.abs(v[i]) * 0x1p-11, 0x1p-25);
                    case BF16 -> Math.abs(v[i]) * 0x1p-8;
                    case Q8_0 -> amax / 127 * (0.5 + 127 * 0x1p-11 + 0x1p-15) + 127 * 0x1p-25;
                    case Q4_0 -> amax / 8 * (1 + 8 * 0x1p-11 + 0x1p-15) + 8 * 0x1p-25;
                    default -> throw new IllegalArgumentException(type.toString());
                };
                assertThat((double) Math.abs(back[i] - v[i])).as("%s value %d: %s -> %s", type, i, v[i], back[i]).isLessThanOrEqualTo(allowed);
            }
        }
        // Decoded values are on the grid, so for the float formats a second pass changes nothing.
        if (!type.isQuantized()) {
            byte[] againBytes = new byte[(int) type.rowBytes(n)];
            dev.loupe.core.quant.Quantizers.create(type).quantize(back, 0, n, againBytes, 0);
            MemorySegment again = MemorySegment.ofArray(againBytes);
            assertThat(again.mismatch(enc)).isEqualTo(-1L);
        }
    }

    @Provide
    Arbitrary<GgmlType> writable() {
        // The types whose round-trip bound is stated above (the quantizers' own tests cover the K types).
        return Arbitraries.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0);
    }
}
