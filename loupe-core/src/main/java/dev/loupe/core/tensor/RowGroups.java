package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Q4_0 and Q4_K are a transpose: each block of a row is cut into 2-byte units, and a group's block k holds unit 0
 * of rows 0..7, then unit 1 of rows 0..7, and so on. For Q4_0 that puts the eight fp16 scales side by side, then, per
 * unit, bytes 2c and 2c+1 of the eight rows: 16 bytes whose low nibbles are quants 2c and 2c+1 and high nibbles quants
 * 2c+16 and 2c+17 of each row, two adjacent columns per row. Q4_K's scale bytes are then re-encoded in place, and Q6_K
 * has a regrouping of its own (both below).
 *
 * <p>Repacked matrices are kept on disk between runs (the model package's {@code RepackCache}): any change to a layout
 * must bump that cache's {@code VERSION}, or old caches would be read with the new kernels.
 */
public record RowGroups(GgmlType type) {
    /** Rows per group. */
    public static final int ROWS = 8;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Two bytes of a byte[] as one short: the transpose moves 2-byte units. */
    private static final VarHandle UNIT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Map<GgmlType, RowGroups> TABLE = new EnumMap<>(GgmlType.class);

    static {
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K}) TABLE.put(t, new RowGroups(t));
    }

    // Q4_K: after the transpose, bytes [32, 128) of a group's super-block hold the eight rows' 12 packed 6-bit scale and
    // min bytes (units 2..7). They are re-encoded there so that 8 rows' values come out of one vector load each: byte
    // 32 + 8g + r = scale(r, g) | (min(r, g) >> 4) << 6, and the little-endian int at 96 + 4r holds min(r, g) & 15 in
    // bits 4g..4g+3 (the layout of GroupDots.q4_K). Same 96 bytes, lossless.
    private static final int K_SCALES = 32;
    private static final int K_MINS = 96;

    /** The layout of {@code t}, or null when it has none (its matrices stay as the file has them). */
    public static RowGroups of(GgmlType t) {
        return TABLE.get(t);
    }

    /**
     * Packs {@code groups} whole groups: the rows of group g start at {@code src[g·8·rowBytes]}, {@code rowBytes} apart,
     * and the group is written at the same place of {@code dst}. Plain arrays: this runs over every weight of the model
     * at load, and array indexing is what C2 makes fastest.
     */
    public void pack(byte[] src, byte[] dst, int groups, int rowBytes) {
        int size = type.typeSize;
        int blocks = rowBytes / size;
        int[] scratch = new int[ROWS * 256];
        for (int g = 0; g < groups; g++) {
            int base = g * ROWS * rowBytes;
            for (int k = 0; k < blocks; k++) {
                int to = base + k * ROWS * size;
                if (type == GgmlType.Q6_K) {
                    packK6(src, base, rowBytes, k * size, dst, to, scratch);
                    continue;
                }
                int from = base + k * size;
                for (int u = 0; u < size; u += 2) {
                    for (int r = 0; r < ROWS; r++) UNIT.set(dst, to + u * ROWS + 2 * r, (short) UNIT.get(src, from + r * rowBytes + u));
                }
                if (type == GgmlType.Q4_K) encodeK4Scales(dst, to, scratch);
            }
        }
    }

    /** The transposed scale bytes of a Q4_K super-block group (at {@code base}) re-encoded in place. */
    private static void encodeK4Scales(byte[] g, int base, int[] t) {
        int sc = 0, mn = ROWS * 8, q = 2 * ROWS * 8; // t: scales, mins, one row's 12 bytes
        for (int r = 0; r < ROWS; r++) {
            // byte k of row r's 12 is byte k % 2 of its unit 2 + k / 2
            for (int k = 0; k < 12; k++) t[q + k] = g[base + 2 * ((2 + k / 2) * ROWS + r) + (k & 1)] & 0xFF;
            for (int j = 0; j < 8; j++) {
                t[sc + 8 * r + j] = j < 4 ? t[q + j] & 63 : (t[q + j + 4] & 0xF) | (t[q + j - 4] >> 6) << 4;
                t[mn + 8 * r + j] = j < 4 ? t[q + j + 4] & 63 : (t[q + j + 4] >> 4) | (t[q + j] >> 6) << 4;
            }
        }
        for (int r = 0; r < ROWS; r++) {
            int ml = 0;
            for (int j = 0; j < 8; j++) {
                g[base + K_SCALES + 8 * j + r] = (byte) (t[sc + 8 * r + j] | (t[mn + 8 * r + j] >> 4) << 6);
                ml |= (t[mn + 8 * r + j] & 15) << 4 * j;
            }
            for (int i = 0; i < 4; i++) g[base + K_MINS + 4 * r + i] = (byte) (ml >>> 8 * i);
        }
    }

    // Q6_K is not a transpose: its quants are regrouped so that a scale group's 16 columns of the 8 rows lie in 96
    // consecutive bytes, in units of 8 columns (48 bytes): at 16 + 128 + 48u (after 8 fp16 d and the 16 int8 scales of
    // each row, at 16 + 8g + r), ql0 (16 bytes; byte 2r+t: low nibble the low 4 bits of quant 8u+t of row r, high nibble
    // of 8u+4+t), ql1 (likewise 8u+2+t and 8u+6+t), qh (byte 2r+t: bits 2j..2j+1 = the top 2 bits of quant 8u+2j+t).
    // Each 16-byte vector then yields 16 lanes of one column pair of 8 rows with the same nibble/bit steps as the row
    // kernel (GroupDots.q6_K).
    private static final int K6_SCALES = 16, K6_QUANTS = 144;

    private static void packK6(byte[] src, int base, int rowBytes, int block, byte[] dst, int out, int[] q) {
        for (int r = 0; r < ROWS; r++) {
            int b = base + r * rowBytes + block;
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int ql0 = src[b + 64 * h + l] & 0xFF, ql1 = src[b + 64 * h + 32 + l] & 0xFF, qh = src[b + 128 + 32 * h + l] & 0xFF;
                    int x = 256 * r + 128 * h + l;
                    q[x] = (ql0 & 15) | (qh & 3) << 4;
                    q[x + 32] = (ql1 & 15) | ((qh >> 2) & 3) << 4;
                    q[x + 64] = (ql0 >> 4) | ((qh >> 4) & 3) << 4;
                    q[x + 96] = (ql1 >> 4) | ((qh >> 6) & 3) << 4;
                }
            }
            dst[out + 2 * r] = src[b + 208];
            dst[out + 2 * r + 1] = src[b + 209];
            for (int g = 0; g < 16; g++) dst[out + K6_SCALES + 8 * g + r] = src[b + 192 + g];
        }
        for (int u = 0; u < 32; u++) {
            int ub = out + K6_QUANTS + 48 * u;
            for (int r = 0; r < ROWS; r++) {
                for (int t = 0; t < 2; t++) {
                    int x = 256 * r + 8 * u + t;
                    dst[ub + 2 * r + t] = (byte) ((q[x] & 15) | (q[x + 4] & 15) << 4);
                    dst[ub + 16 + 2 * r + t] = (byte) ((q[x + 2] & 15) | (q[x + 6] & 15) << 4);
                    dst[ub + 32 + 2 * r + t] = (byte) ((q[x] >> 4) | (q[x + 2] >> 4) << 2 | (q[x + 4] >> 4) << 4 | (q[x + 6] >> 4) << 6);
                }
            }
        }
    }

    /** Row r of a Q6_K group's super-block at {@code from}, back in the file's 210 bytes at {@code to}. */
    private static void unpackK6(MemorySegment g, long from, int r, MemorySegment dst, long to) {
        for (int i = 0; i < 192; i++) dst.set(ValueLayout.JAVA_BYTE, to + i, (byte) 0);
        for (int u = 0; u < 32; u++) {
            long ub = from + K6_QUANTS + 48L * u;
            for (int t = 0; t < 2; t++) {
                int l0 = g.get(ValueLayout.JAVA_BYTE, ub + 2 * r + t) & 0xFF, l1 = g.get(ValueLayout.JAVA_BYTE, ub + 16 + 2 * r + t) & 0xFF;
                int h = g.get(ValueLayout.JAVA_BYTE, ub + 32 + 2 * r + t) & 0xFF;
                int k = 8 * u + t;
                putK6Quant(dst, to, k, (l0 & 15) | (h & 3) << 4);
                putK6Quant(dst, to, k + 2, (l1 & 15) | ((h >> 2) & 3) << 4);
                putK6Quant(dst, to, k + 4, (l0 >> 4) | ((h >> 4) & 3) << 4);
                putK6Quant(dst, to, k + 6, (l1 >> 4) | ((h >> 6) & 3) << 4);
            }
        }
        for (int j = 0; j < 16; j++) dst.set(ValueLayout.JAVA_BYTE, to + 192 + j, g.get(ValueLayout.JAVA_BYTE, from + K6_SCALES + 8L * j + r));
        dst.set(SHORT, to + 208, g.get(SHORT, from + 2L * r));
    }

    private static void putK6Quant(MemorySegment s, long b, int k, int q) {
        int h = k >> 7, qq = (k >> 5) & 3, l = k & 31;
        long ql = b + 64 * h + 32 * (qq & 1) + l, qh = b + 128 + 32 * h + l;
        s.set(ValueLayout.JAVA_BYTE, ql, (byte) (s.get(ValueLayout.JAVA_BYTE, ql) | (qq >= 2 ? (q & 15) << 4 : q & 15)));
        s.set(ValueLayout.JAVA_BYTE, qh, (byte) (s.get(ValueLayout.JAVA_BYTE, qh) | (q >> 4) << 2 * qq));
    }

    /** Writes row {@code r} (0..7) of the group at {@code groupOff} to {@code dst} at {@code dstOff}, as the file had it. */
    public void unpackRow(MemorySegment group, long groupOff, long rowBytes, int r, MemorySegment dst, long dstOff) {
        int size = type.typeSize;
        long blocks = rowBytes / size;
        for (long k = 0; k < blocks; k++) {
            long from = groupOff + k * ROWS * size;
            long to = dstOff + k * size;
            if (type == GgmlType.Q6_K) {
                unpackK6(group, from, r, dst, to);
                continue;
            }
            for (int u = 0; u < size; u += 2) dst.set(SHORT, to + u, group.get(SHORT, from + (long) u * ROWS + 2L * r));
            if (type == GgmlType.Q4_K) decodeK4Scales(group, from, r, dst, to);
        }
    }

    /** Row r's 12 packed scale bytes (get_scale_min_k4's layout) from a re-encoded group, at {@code to + 4}. */
    private static void decodeK4Scales(MemorySegment group, long from, int r, MemorySegment dst, long to) {
        int ml = group.get(INT, from + K_MINS + 4L * r);
        for (int j = 0; j < 4; j++) {
            int lo = group.get(ValueLayout.JAVA_BYTE, from + K_SCALES + 8L * j + r) & 0xFF;
            int hi = group.get(ValueLayout.JAVA_BYTE, from + K_SCALES + 8L * (j + 4) + r) & 0xFF;
            int scLo = lo & 63, scHi = hi & 63;
            int mnLo = (ml >>> 4 * j) & 15 | (lo >> 6) << 4, mnHi = (ml >>> 4 * (j + 4)) & 15 | (hi >> 6) << 4;
            dst.set(ValueLayout.JAVA_BYTE, to + 4 + j, (byte) (scLo | (scHi >> 4) << 6));
            dst.set(ValueLayout.JAVA_BYTE, to + 8 + j, (byte) (mnLo | (mnHi >> 4) << 6));
            dst.set(ValueLayout.JAVA_BYTE, to + 12 + j, (byte) ((scHi & 15) | (mnHi & 15) << 4));
        }
    }
}
