package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Scalar little-endian reads with C's unsigned/signed char semantics made explicit. */
final class Raw {
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Raw() {}

    /** uint8_t */
    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** int8_t */
    static int s8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static void putU8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    /** C's roundf: half-way cases away from zero (Math.round would send -2.5 to -2). Exact for floats via double. */
    static int roundf(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /** uint32_t, as memcpy'd by ggml on a little-endian host; use {@code >>>} on it. */
    static int u32(MemorySegment s, long off) {
        return s.get(LE_INT, off);
    }
}
