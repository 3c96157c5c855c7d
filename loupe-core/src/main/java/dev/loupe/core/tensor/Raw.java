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

    /** uint32_t, as memcpy'd by ggml on a little-endian host; use {@code >>>} on it. */
    static int u32(MemorySegment s, long off) {
        return s.get(LE_INT, off);
    }
}
