package dev.loupe.core.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RowGroupsTest {
    static final GgmlType[] TYPES = {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};

    /** Packing loses nothing: every row unpacked from its group is the row as the file had it, byte for byte. */
    @Property(tries = 50)
    void unpackRowInvertsPack(@ForAll @IntRange(min = 1, max = 3) int groups, @ForAll @IntRange(min = 1, max = 4) int blocks,
                              @ForAll long seed) {
        GgmlType type = RowGroupsTest.TYPES[(int) Math.floorMod(seed, (long) RowGroupsTest.TYPES.length)];
        RowGroups layout = RowGroups.of(type);
        int rows = groups * RowGroups.ROWS;
        long rowBytes = type.rowBytes((long) blocks * type.blockSize);
        byte[] bytes = new byte[(int) (rows * rowBytes)];
        new Random(seed).nextBytes(bytes);
        byte[] out = new byte[bytes.length];
        layout.pack(bytes, out, groups, (int) rowBytes);
        MemorySegment packed = MemorySegment.ofArray(out);
        assertThat(packed.toArray(ValueLayout.JAVA_BYTE)).as("a permutation of the bytes").isNotEqualTo(bytes);
        byte[] row = new byte[(int) rowBytes];
        for (int r = 0; r < rows; r++) {
            long group = (long) (r / RowGroups.ROWS) * RowGroups.ROWS * rowBytes;
            layout.unpackRow(packed, group, rowBytes, r % RowGroups.ROWS, MemorySegment.ofArray(row), 0);
            assertThat(row).as("row %d", r).isEqualTo(java.util.Arrays.copyOfRange(bytes, (int) (r * rowBytes), (int) ((r + 1) * rowBytes)));
        }
    }

    /** A repacked tensor decodes every row (an embedding lookup) as the file's layout does. */
    @Property(tries = 20)
    void regroupedTensorDequantizesLikeTheFile(@ForAll @IntRange(min = 1, max = 3) int blocks, @ForAll long seed) {
        GgmlType type = RowGroupsTest.TYPES[(int) Math.floorMod(seed, (long) RowGroupsTest.TYPES.length)];
        int rows = 2 * RowGroups.ROWS, n = blocks * type.blockSize;
        long rowBytes = type.rowBytes(n);
        MemorySegment w = RandomBlocks.of(type, rows * blocks, 0, new Random(seed));
        Tensor t = new Tensor("w", type, new long[] {n, rows}, w, Codecs.of(type, "w"));
        byte[] in = w.asSlice(0, rows * rowBytes).toArray(ValueLayout.JAVA_BYTE), out = new byte[in.length];
        RowGroups.of(type).pack(in, out, rows / RowGroups.ROWS, (int) rowBytes);
        Tensor g = t.regrouped(RowGroups.of(type), MemorySegment.ofArray(out));
        float[] want = new float[n], got = new float[n];
        for (int r = 0; r < rows; r++) {
            t.dequantizeRow(r, want, 0);
            g.dequantizeRow(r, got, 0);
            assertThat(got).as("row %d", r).isEqualTo(want);
        }
        assertThat(g.rowSlice(8, 8).groups()).isSameAs(g.groups());
    }
}
