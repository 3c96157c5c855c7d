package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE binary16, as ggml stores scales and F16 weights. */
final class Fp16 {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** As many shorts as there are float lanes. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Lanes.L * 16));

    private Fp16() {}

    /** Exact, like GGML_FP16_TO_FP32 (every half is a float). */
    static float read(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LE, off));
    }

    /**
     * {@link Lanes#L} halves at {@code off}, converted exactly. The Vector API has no half-to-float
     * lane conversion, so: exponent and mantissa moved into float position and rescaled by 2^112
     * (exact for normals and subnormals alike, since it is a power of two and the result is a
     * normal float), Inf/NaN patched in, sign copied. Bit-for-bit Float.float16ToFloat on every non-NaN half;
     * NaNs keep their payload unquietened (the JDK's F16C intrinsic quietens them; nothing relies on it).
     */
    static FloatVector lanes(MemorySegment s, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, Lanes.I, 0);
        IntVector em = h.and(0x7FFF);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector bits = finite.blend(shifted.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00))
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        return bits.reinterpretAsFloats();
    }
}
