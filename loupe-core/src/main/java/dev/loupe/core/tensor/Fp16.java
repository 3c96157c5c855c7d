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
}
