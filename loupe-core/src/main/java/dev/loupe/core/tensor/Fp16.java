package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE binary16, as ggml stores scales and F16 weights. */
final class Fp16 {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Fp16() {}

    /** Exact, like GGML_FP16_TO_FP32 (every half is a float). */
    static float read(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LE, off));
    }

    /**
     * GGML_FP32_TO_FP16: round to nearest even, which Float.floatToFloat16 also does. (Only a NaN
     * would differ: ggml writes the canonical 0x7E00, the JDK keeps payload bits.)
     */
    static void write(MemorySegment s, long off, float v) {
        s.set(LE, off, Float.floatToFloat16(v));
    }
}
