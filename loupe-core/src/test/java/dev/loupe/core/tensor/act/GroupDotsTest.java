package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.RowGroups;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The row-group kernels against the scalar reference on the same rows in the file's layout, and a batch against the
 * same inputs one by one (bit for bit: a sequence decoded alone must match itself decoded in a batch).
 */
class GroupDotsTest {
    private static final ValueLayout.OfShort UNITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final GgmlType[] GROUPED = {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};

    /** {@code rows} rows of the file's layout packed into groups, in native memory as the engine holds them. */
    static MemorySegment pack(GgmlType type, MemorySegment rows, int count, long rowBytes) {
        byte[] in = rows.asSlice(0, count * rowBytes).toArray(ValueLayout.JAVA_BYTE), out = new byte[in.length];
        RowGroups.of(type).pack(in, out, count / RowGroups.ROWS, (int) rowBytes);
        MemorySegment packed = java.lang.foreign.Arena.ofAuto().allocate(count * rowBytes, 64);
        MemorySegment.copy(out, 0, packed, ValueLayout.JAVA_BYTE, 0, out.length);
        return packed;
    }

    /**
     * Every (row, input) pair of a packed matrix against the scalar dot of that row in the file's layout. Both form the
     * same exact int per block and differ in float order only (sequential over blocks here, 8 lanes there), which
     * costs at most (blocks + 16)·2^-24 of the magnitude; we allow 1e-5, as for the row kernels.
     */
    @Property(tries = 60)
    void matchesReference(@ForAll @IntRange(min = 1, max = 3) int groups, @ForAll @IntRange(min = 1, max = 5) int blocks,
                          @ForAll @IntRange(min = 1, max = 4) int inputs, @ForAll long seed) {
        for (GgmlType type : GROUPED) {
            Random r = new Random(seed);
            int rows = groups * RowGroups.ROWS, n = blocks * type.blockSize;
            long rowBytes = type.rowBytes(n);
            MemorySegment w = ActivationDotTest.randomBlocks(type, rows * blocks, 0, r);
            MemorySegment packed = pack(type, w, rows, rowBytes);
            QuantizedVector a = new QuantizedVector();
            a.quantize(ActivationDotTest.randomActivations(inputs * n, r), inputs * n, ActivationDots.vecDotType(type));
            float[] out = new float[inputs * rows];
            ActivationDots.ofGroups(type).dotTile(packed, 0, rowBytes, rows, a, 0, inputs, n, out, 0, rows);
            ActivationDot ref = ActivationDots.reference(type);
            for (int b = 0; b < inputs; b++) {
                for (int row = 0; row < rows; row++) {
                    float want = ref.dot(w, row * rowBytes, a, b * n, n);
                    double tol = 1e-5 * ActivationDotTest.magnitude(type, w, row * rowBytes, a, b * n, n) + 1e-30;
                    assertThat((double) Math.abs(out[b * rows + row] - want)).as("%s row %d input %d", type, row, b).isLessThanOrEqualTo(tol);
                }
            }
        }
    }

    @Property(tries = 40)
    void batchEqualsOneByOneBitForBit(@ForAll @IntRange(min = 2, max = 9) int inputs, @ForAll @IntRange(min = 1, max = 3) int blocks,
                                      @ForAll long seed) {
        for (GgmlType type : GROUPED) {
            Random r = new Random(seed);
            int rows = 2 * RowGroups.ROWS, n = blocks * type.blockSize;
            long rowBytes = type.rowBytes(n);
            MemorySegment packed = pack(type, ActivationDotTest.randomBlocks(type, rows * blocks, 0, r), rows, rowBytes);
            QuantizedVector a = new QuantizedVector();
            a.quantize(ActivationDotTest.randomActivations(inputs * n, r), inputs * n, ActivationDots.vecDotType(type));
            ActivationDot d = ActivationDots.ofGroups(type);
            int os = rows + 3;
            float[] batch = new float[inputs * os], one = new float[rows];
            d.dotTile(packed, 0, rowBytes, rows, a, 0, inputs, n, batch, 0, os);
            for (int b = 0; b < inputs; b++) {
                d.dotTile(packed, 0, rowBytes, rows, a, b * n, 1, n, one, 0, rows);
                assertThat(Arrays.copyOfRange(batch, b * os, b * os + rows)).as("%s input %d of %d", type, b, inputs).isEqualTo(one);
            }
        }
    }

    /**
     * Quants at their extremes (every byte 0xFF: nibbles 15; 0x88: nibbles 8, i.e. 0 after the offset) and activations
     * at ±127: the 16-bit lane sums reach 16·15·127 and the pair sums pass a short, which the kernel must still sum
     * exactly. Against the exact dot in double, with scales of 1 and activation scale 1/127·max.
     */
    @Test
    void exactAtExtremeQuants() {
        GgmlType type = GgmlType.Q4_0;
        int rows = RowGroups.ROWS, blocks = 4, n = blocks * 32;
        long rowBytes = type.rowBytes(n);
        for (int fill : new int[] {0xFF, 0x00, 0x88}) {
            byte[] bytes = new byte[(int) (rows * rowBytes)];
            Arrays.fill(bytes, (byte) fill);
            MemorySegment w = MemorySegment.ofArray(bytes);
            for (int b = 0; b < rows * blocks; b++) w.set(UNITS, b * 18L, Float.floatToFloat16(b % 2 == 0 ? 1f : -0.5f));
            float[] x = new float[n];
            Arrays.fill(x, 1f);
            QuantizedVector a = new QuantizedVector();
            a.quantize(x, n, GgmlType.Q8_0);
            float[] out = new float[rows];
            ActivationDots.ofGroups(type).dotTile(pack(type, w, rows, rowBytes), 0, rowBytes, rows, a, 0, 1, n, out, 0, rows);
            int q = (fill & 0xF) - 8;
            for (int row = 0; row < rows; row++) {
                double want = 0;
                for (int blk = 0; blk < blocks; blk++) want += ((row * blocks + blk) % 2 == 0 ? 1 : -0.5) * a.d[blk] * 32 * q * 127;
                assertThat((double) out[row]).as("fill %x row %d", fill, row).isCloseTo(want, org.assertj.core.data.Offset.offset(Math.abs(want) * 1e-6));
            }
        }
    }

    /**
     * The K-quants at their extremes, where the integer sums are largest: every quant byte 0x00 or 0xFF (Q6_K quants 0
     * or 63, so q − 32 is −32 or 31; Q4_K nibbles 0 or 15 with 6-bit scales and mins 0 or 63) against activations all
     * ±127. Q6_K's super-block sum then passes 2^24 (16·16·32·127·128 = 133M) and is rounded once to float: the batch
     * kernel (float runs joined in int) must round exactly as the single-input one, bit for bit, and both stay within
     * that one rounding of the exact dot.
     */
    @Test
    void kQuantsExactAtExtremes() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            for (int fill : new int[] {0x00, 0xFF}) {
                int rows = RowGroups.ROWS, blocks = 2, n = blocks * 256, inputs = 5;
                long rowBytes = type.rowBytes(n);
                byte[] bytes = new byte[(int) (rows * rowBytes)];
                Arrays.fill(bytes, (byte) fill);
                MemorySegment w = MemorySegment.ofArray(bytes);
                for (int b = 0; b < rows * blocks; b++) {
                    for (int f : ActivationDotTest.halfFields(type)) w.set(UNITS, b * (long) type.typeSize + f, Float.floatToFloat16(b % 3 == 0 ? 0.5f : -0.25f));
                    if (type == GgmlType.Q6_K) for (int g = 0; g < 16; g++) w.set(ValueLayout.JAVA_BYTE, b * 210L + 192 + g, (byte) -128);
                }
                float[] x = new float[inputs * n];
                Arrays.fill(x, fill == 0 ? 1f : -1f);
                QuantizedVector a = new QuantizedVector();
                a.quantize(x, inputs * n, GgmlType.Q8_K);
                MemorySegment packed = pack(type, w, rows, rowBytes);
                ActivationDot d = ActivationDots.ofGroups(type);
                float[] batch = new float[inputs * rows], one = new float[rows];
                d.dotTile(packed, 0, rowBytes, rows, a, 0, inputs, n, batch, 0, rows);
                ActivationDot ref = ActivationDots.reference(type);
                for (int b = 0; b < inputs; b++) {
                    d.dotTile(packed, 0, rowBytes, rows, a, b * n, 1, n, one, 0, rows);
                    assertThat(Arrays.copyOfRange(batch, b * rows, (b + 1) * rows)).as("%s fill %x input %d", type, fill, b).isEqualTo(one);
                    for (int row = 0; row < rows; row++) {
                        float want = ref.dot(w, row * rowBytes, a, b * n, n);
                        assertThat((double) one[row]).as("%s fill %x row %d", type, fill, row)
                                .isCloseTo(want, org.assertj.core.data.Offset.offset(Math.abs((double) want) * 1e-6 + 1e-30));
                    }
                }
            }
        }
    }
}
