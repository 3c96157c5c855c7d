package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

final class F16Codec implements Codec {
    /** As many shorts as there are float lanes. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Lanes.L * 16));

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = Fp16.read(src, offset + 2L * i);
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        int i = 0;
        int upper = Lanes.F.loopBound(n);
        for (; i < upper; i += Lanes.L) {
            // The Vector API has no half-to-float lane conversion, so: exponent and mantissa moved
            // into float position and rescaled by 2^112 (exact for normals and subnormals alike: a
            // power of two, and the result is a normal float), Inf/NaN patched in, sign copied.
            // Bit-for-bit Float.float16ToFloat on every non-NaN half; NaNs stay NaN.
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, offset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Lanes.I, 0);
            IntVector em = h.and(0x7FFF);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            IntVector bits = finite.blend(shifted.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            acc = bits.reinterpretAsFloats().fma(FloatVector.fromArray(Lanes.F, x, xOff + i), acc);
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        for (; i < n; i++) sum += Fp16.read(src, offset + 2L * i) * x[xOff + i];
        return sum;
    }
}
