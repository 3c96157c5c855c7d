package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;

/**
 * The row-group layout a weight type is repacked into at load for decoding: {@link #ROWS} consecutive rows
 * interleaved block by block, so that one vector's lanes hold the same field of all of them and a matrix-vector
 * kernel computes {@link #ROWS} dots at once (the idea of llama.cpp's repacked block_q4_0x8 on AVX2, with a layout
 * of our own). A group is exactly as large as its rows were, and row g·8 + r stays inside the bytes rows g·8 .. g·8+7
 * had, so offsets of whole groups are unchanged.
 *
 * <p>The layout is a transpose: each block of a row is cut into units of {@link #unitBytes} bytes, and a group's
 * block k holds unit 0 of rows 0..7, then unit 1 of rows 0..7, and so on. For Q4_0 (2-byte units) that puts the eight
 * fp16 scales side by side, then, per unit, bytes 2c and 2c+1 of the eight rows: 16 bytes whose low nibbles are
 * quants 2c and 2c+1 and high nibbles quants 2c+16 and 2c+17 of each row, two adjacent columns per row.
 */
public record RowGroups(GgmlType type, int unitBytes) {
    /** Rows per group. */
    public static final int ROWS = 8;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Map<GgmlType, RowGroups> TABLE = new EnumMap<>(GgmlType.class);

    static {
        TABLE.put(GgmlType.Q4_0, new RowGroups(GgmlType.Q4_0, 2));
    }

    public RowGroups {
        if (unitBytes != 2 || type.typeSize % unitBytes != 0) {
            throw new IllegalArgumentException(type + ": units of " + unitBytes + " bytes do not tile its blocks");
        }
    }

    /** The layout of {@code t}, or null when it has none (its matrices stay as the file has them). */
    public static RowGroups of(GgmlType t) {
        return TABLE.get(t);
    }

    private int units() {
        return type.typeSize / unitBytes;
    }

    /**
     * Packs {@code groups} whole groups: the rows of group g start at {@code src[g·8·rowUnits]}, {@code rowUnits} units
     * (shorts) apart, and the group is written at the same place of {@code dst}. Plain arrays: this runs over every weight
     * of the model at load, and array indexing is what C2 makes fastest.
     */
    public void pack(short[] src, short[] dst, int groups, int rowUnits) {
        int units = units();
        int blocks = rowUnits / units;
        for (int g = 0; g < groups; g++) {
            int base = g * ROWS * rowUnits;
            for (int k = 0; k < blocks; k++) {
                int to = base + k * ROWS * units;
                for (int r = 0; r < ROWS; r++) {
                    int from = base + r * rowUnits + k * units;
                    for (int u = 0; u < units; u++) dst[to + u * ROWS + r] = src[from + u];
                }
            }
        }
    }

    /** Writes row {@code r} (0..7) of the group at {@code groupOff} to {@code dst} at {@code dstOff}, as the file had it. */
    public void unpackRow(MemorySegment group, long groupOff, long rowBytes, int r, MemorySegment dst, long dstOff) {
        int units = units(), size = type.typeSize;
        long blocks = rowBytes / size;
        for (long k = 0; k < blocks; k++) {
            long from = groupOff + k * ROWS * size;
            long to = dstOff + k * size;
            for (int u = 0; u < units; u++) dst.set(SHORT, to + (long) u * unitBytes, group.get(SHORT, from + (long) (u * ROWS + r) * unitBytes));
        }
    }
}
