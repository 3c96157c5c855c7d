package dev.loupe.core.tensor.act;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian scalar reads with C's unsigned/signed char semantics. (The tensor package has its own;
 * this package keeps a private copy so the two can evolve independently.)
 */
final class Bytes {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bytes() {}

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int s8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    /** uint32_t as memcpy'd on a little-endian host; use {@code >>>}. */
    static int u32(MemorySegment s, long off) {
        return s.get(LE_INT, off);
    }

    /** GGML_CPU_FP16_TO_FP32: exact. */
    static float half(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LE_SHORT, off));
    }

    /** get_scale_min_k4's scale j (0..7) of the 12 packed bytes at {@code q} (Q4_K, Q5_K). */
    static int k4Scale(MemorySegment s, long q, int j) {
        if (j < 4) return u8(s, q + j) & 63;
        return (u8(s, q + j + 4) & 0xF) | ((u8(s, q + j - 4) >> 6) << 4);
    }

    /** get_scale_min_k4's min j (0..7). */
    static int k4Min(MemorySegment s, long q, int j) {
        if (j < 4) return u8(s, q + j + 4) & 63;
        return (u8(s, q + j + 4) >> 4) | ((u8(s, q + j) >> 6) << 4);
    }
}
