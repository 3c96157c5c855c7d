package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * ggml's get_scale_min_k4: the eight 6-bit scales and eight 6-bit mins of a Q4_K/Q5_K super-block,
 * packed into 12 bytes (the first four of each directly, the last four split into nibbles plus the
 * spare top two bits of the first eight bytes).
 */
final class KScales {
    private KScales() {}

    /** Scale of sub-block {@code j} (0..7); {@code q} is the offset of the 12 scale bytes. */
    static int scale(MemorySegment s, long q, int j) {
        if (j < 4) return Raw.u8(s, q + j) & 63;
        return (Raw.u8(s, q + j + 4) & 0xF) | ((Raw.u8(s, q + j - 4) >> 6) << 4);
    }

    /** Min of sub-block {@code j} (0..7). */
    static int min(MemorySegment s, long q, int j) {
        if (j < 4) return Raw.u8(s, q + j + 4) & 63;
        return (Raw.u8(s, q + j + 4) >> 4) | ((Raw.u8(s, q + j) >> 6) << 4);
    }
}
