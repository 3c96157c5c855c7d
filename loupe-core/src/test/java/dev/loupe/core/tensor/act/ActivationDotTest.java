package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ActivationDotTest {
    static final GgmlType[] QUANTIZED = {
        GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    @Provide
    Arbitrary<GgmlType> quantized() {
        return Arbitraries.of(QUANTIZED);
    }

    /**
     * Fast kernel against the scalar reference. Both compute the same exact int per block; they differ only in
     * how the few float products per block are ordered and summed (8 lanes, then across ≤ 6 blocks), each
     * step rounding by at most 2^-24 of a partial sum bounded by {@link #magnitude}: (blocks + 16)·2^-24 < 2e-6
     * of it. We allow 1e-5.
     */
    @Property(tries = 300)
    void fastMatchesReference(@ForAll("quantized") GgmlType type, @ForAll @IntRange(min = 1, max = 6) int blocks,
                              @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll @IntRange(min = 0, max = 2) int aBlock,
                              @ForAll long seed) {
        Random r = new Random(seed);
        int n = blocks * type.blockSize;
        int off = aBlock * type.blockSize;
        MemorySegment w = randomBlocks(type, blocks, pad, r);
        QuantizedVector a = new QuantizedVector();
        a.quantize(randomActivations(off + n, r), off + n, ActivationDots.vecDotType(type));
        float fast = ActivationDots.of(type).dot(w, pad, a, off, n);
        float ref = ActivationDots.reference(type).dot(w, pad, a, off, n);
        assertThat((double) Math.abs(fast - ref)).as("%s n=%d fast %s ref %s", type, n, fast, ref)
                .isLessThanOrEqualTo(1e-5 * magnitude(type, w, pad, a, off, n) + 1e-30);
    }

    /**
     * The reference against an independent decoding: the codec's dequantized weights times the dequantized
     * activations (q·d), in double. The exact products are equal term by term, so only float rounding of the
     * reference remains — except Q8_1's s, which ggml stores as fp16(d·Σq): that term may be off by 2^-11 of |m·s|.
     */
    @Property(tries = 300)
    void referenceMatchesDequantizedProduct(@ForAll("quantized") GgmlType type, @ForAll @IntRange(min = 1, max = 4) int blocks,
                                            @ForAll long seed) {
        Random r = new Random(seed);
        int n = blocks * type.blockSize;
        MemorySegment w = randomBlocks(type, blocks, 0, r);
        QuantizedVector a = new QuantizedVector();
        a.quantize(randomActivations(n, r), n, ActivationDots.vecDotType(type));
        float[] wf = new float[n];
        Codecs.of(type, "random").dequantize(w, 0, wf, 0, n);
        double exact = 0, q81 = 0;
        int qk = a.type().blockSize;
        for (int i = 0; i < n; i++) exact += (double) wf[i] * a.qs[i] * a.d[i / qk];
        if (a.type() == GgmlType.Q8_1) {
            BlockFormat f = BlockFormat.valueOf(type.name());
            for (int b = 0; b < blocks; b++) q81 += Math.abs(f.m(w, (long) b * type.typeSize) * a.s[b]);
        }
        float ref = ActivationDots.reference(type).dot(w, 0, a, 0, n);
        assertThat(Math.abs(ref - exact)).as("%s n=%d", type, n)
                .isLessThanOrEqualTo(1e-5 * magnitude(type, w, 0, a, 0, n) + q81 * 0x1p-10 + 1e-30);
    }

    /**
     * A weight row against a batch: {@code dotRows} must give each input exactly what {@code dot} gives it (the
     * batched decode's outputs must not depend on the batch), for the kernels that decode once for several inputs
     * and the default alike, with batches that are and are not multiples of the kernel's group.
     */
    @Property(tries = 200)
    void dotRowsEqualsDotBitForBit(@ForAll("rowTypes") GgmlType type, @ForAll @IntRange(min = 1, max = 11) int rows,
                                   @ForAll @IntRange(min = 1, max = 3) int blocks, @ForAll long seed) {
        Random r = new Random(seed);
        int n = blocks * Math.max(type.blockSize, 32) + (type.blockSize == 1 ? 7 : 0); // F16: a tail after the lanes too
        MemorySegment w = type.blockSize == 1 ? finiteFloats(type, n, r) : randomBlocks(type, n / type.blockSize, 0, r);
        QuantizedVector a = new QuantizedVector();
        a.quantize(randomActivations(rows * n, r), rows * n, ActivationDots.vecDotType(type));
        ActivationDot d = ActivationDots.of(type);
        float[] out = new float[rows * 3 + 1];
        d.dotRows(w, 0, a, 0, rows, n, out, 1, 3);
        for (int b = 0; b < rows; b++) {
            assertThat(out[1 + 3 * b]).as("%s input %d of %d", type, b, rows).isEqualTo(d.dot(w, 0, a, b * n, n));
        }
    }

    /**
     * A tile of weight rows against a batch (prefill's matrix product): {@code dotTile} must give every (row, input)
     * pair exactly what {@code dot} gives it, for tiles of one or several rows and batches around the kernels' group
     * of four, with the rows apart by more than their size (as in a tile cut from a bigger matrix).
     */
    @Property(tries = 200)
    void dotTileEqualsDotBitForBit(@ForAll("rowTypes") GgmlType type, @ForAll @IntRange(min = 1, max = 5) int tileRows,
                                   @ForAll @IntRange(min = 1, max = 10) int inputs, @ForAll @IntRange(min = 1, max = 2) int blocks,
                                   @ForAll long seed) {
        Random r = new Random(seed);
        int n = blocks * Math.max(type.blockSize, 32) + (type.blockSize == 1 ? 7 : 0);
        long rowBytes = type.rowBytes(n), stride = rowBytes + 2 * type.typeSize;
        int strideElems = (int) (stride / type.typeSize) * type.blockSize;
        int total = tileRows * strideElems;
        MemorySegment w = type.blockSize == 1 ? finiteFloats(type, total, r) : randomBlocks(type, total / type.blockSize, 0, r);
        QuantizedVector a = new QuantizedVector();
        a.quantize(randomActivations(inputs * n, r), inputs * n, ActivationDots.vecDotType(type));
        ActivationDot d = ActivationDots.of(type);
        int os = tileRows + 2;
        float[] out = new float[1 + inputs * os];
        d.dotTile(w, 0, stride, tileRows, a, 0, inputs, n, out, 1, os);
        for (int b = 0; b < inputs; b++) {
            for (int row = 0; row < tileRows; row++) {
                assertThat(out[1 + b * os + row]).as("%s row %d of %d, input %d of %d", type, row, tileRows, b, inputs)
                        .isEqualTo(d.dot(w, row * stride, a, b * n, n));
            }
        }
    }

    /**
     * The batched kernels sum integer products in float, exact only below 2^24: weights and activations at their
     * largest magnitudes (every quant byte 0x80 or 0xFF, so Q8_0 quants are -128 or -1 and K-quant scales, nibbles
     * and Q6_K's int8 scales are at their extremes; every activation quantized to ±127) reach the bounds the
     * kernels' comments give. The sums must still equal the single-row integer dots bit for bit.
     */
    @Test
    void dotRowsExactAtExtremeQuants() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            for (int fill : new int[] {0x80, 0xFF}) {
                int blocks = 2, n = blocks * type.blockSize, rows = 5;
                byte[] bytes = new byte[blocks * type.typeSize];
                java.util.Arrays.fill(bytes, (byte) fill);
                ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                for (int b = 0; b < blocks; b++) for (int f : halfFields(type)) bb.putShort(b * type.typeSize + f, Float.floatToFloat16(0.5f));
                MemorySegment w = MemorySegment.ofArray(bytes);
                float[] x = new float[rows * n];
                for (int i = 0; i < x.length; i++) x[i] = i % 3 == 0 ? -1f : 1f;
                if (fill == 0xFF) java.util.Arrays.fill(x, 1f); // all products one sign: the largest sums
                QuantizedVector a = new QuantizedVector();
                a.quantize(x, rows * n, ActivationDots.vecDotType(type));
                ActivationDot d = ActivationDots.of(type);
                float[] out = new float[rows];
                d.dotRows(w, 0, a, 0, rows, n, out, 0, 1);
                for (int b = 0; b < rows; b++) {
                    float one = d.dot(w, 0, a, b * n, n);
                    assertThat(out[b]).as("%s fill %x input %d", type, fill, b).isEqualTo(one);
                    float ref = ActivationDots.reference(type).dot(w, 0, a, b * n, n);
                    assertThat((double) Math.abs(one - ref)).as("%s reference %s", type, ref).isLessThanOrEqualTo(1e-5 * Math.abs(ref));
                }
            }
        }
    }

    /** {@code n} random finite weights in [-1, 1) stored as F32, F16 or BF16. */
    static MemorySegment finiteFloats(GgmlType type, int n, Random r) {
        ByteBuffer bb = ByteBuffer.allocate(n * type.typeSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = r.nextFloat() * 2 - 1;
            switch (type) {
                case F32 -> bb.putFloat(v);
                case F16 -> bb.putShort(Float.floatToFloat16(v));
                default -> bb.putShort((short) (Float.floatToIntBits(v) >>> 16));
            }
        }
        return MemorySegment.ofArray(bb.array());
    }

    @Provide
    Arbitrary<GgmlType> rowTypes() {
        return Arbitraries.of(GgmlType.F16, GgmlType.F32, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K,
                GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q5_0);
    }

    /** F16/BF16 weights: activations rounded to the weight type, then the codec's float dot. */
    @Test
    void floatTypesRoundActivations() {
        QuantizedVector a = new QuantizedVector();
        float x = 1 + 0x1p-12f; // not representable in fp16 (11-bit significand): rounds to 1
        a.quantize(new float[] {x, 3}, 2, ActivationDots.vecDotType(GgmlType.F16));
        assertThat(a.floats()[0]).isEqualTo(1f);
        a.quantize(new float[] {1 + 0x1p-8f + 0x1p-9f, 3}, 2, ActivationDots.vecDotType(GgmlType.BF16));
        assertThat(a.floats()[0]).isEqualTo(1 + 0x1p-7f); // halfway rounds to even
        a.quantize(new float[] {x, 3}, 2, ActivationDots.vecDotType(GgmlType.F32));
        assertThat(a.floats()[0]).isEqualTo(x);
    }

    /** Σ over the block's terms of |float factor · integer term|: the scale every rounding error is relative to. */
    static double magnitude(GgmlType type, MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        BlockFormat f = BlockFormat.valueOf(type.name());
        int qk = type.blockSize;
        double m = 0;
        for (int blk = 0; blk < n / qk; blk++) {
            long b = off + (long) blk * type.typeSize;
            int e = e0 + blk * qk;
            double da = Math.abs(a.d[e / qk]);
            for (int i = 0; i < qk; i++) {
                int g = i / f.group;
                double term = Math.abs((double) f.d(w, b) * f.scale(w, b, g) * f.q(w, b, i))
                        + Math.abs((double) f.m(w, b) * f.min(w, b, g));
                m += term * da * Math.abs(a.qs[e + i]);
            }
            if (f.combine == BlockFormat.Combine.SCALED_PLUS_MIN) m += Math.abs(f.m(w, b) * a.s[e / qk]);
        }
        return m;
    }

    static float[] randomActivations(int n, Random r) {
        float[] x = new float[n];
        double scale = Math.pow(10, r.nextInt(5) - 2);
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        if (r.nextInt(8) == 0) for (int i = 0; i < Math.min(n, 32); i++) x[i] = 0; // an all-zero block
        return x;
    }

    /** Byte offsets of the fp16 fields of one block (ggml-common.h). */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case Q4_0, Q5_0, Q8_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Random bytes, with every fp16 field a sane scale: ±2^-14..2^1 (as real models have), or zero. */
    static MemorySegment randomBlocks(GgmlType type, int blocks, int pad, Random r) {
        byte[] bytes = new byte[pad + blocks * type.typeSize + 16];
        r.nextBytes(bytes);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < blocks; b++) {
            for (int f : halfFields(type)) {
                short h = r.nextInt(16) == 0 ? 0 : (short) ((r.nextInt(2) << 15) | ((1 + r.nextInt(16)) << 10) | r.nextInt(1 << 10));
                bb.putShort(pad + b * type.typeSize + f, h);
            }
        }
        return MemorySegment.ofArray(bytes);
    }
}
